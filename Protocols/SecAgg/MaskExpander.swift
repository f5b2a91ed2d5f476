internal import EQMCrypto

/// Expands masks from ChaCha20 keystreams (the full 256-bit key, never a folded seed) and adds
/// them to a vector in ℤ_2³².
///
/// The vector is processed in 16 KiB chunks: for each chunk, every mask's keystream for that chunk
/// is generated into a scratch buffer and added, so the chunk of the vector and the scratch stay in
/// L1 cache while a thousand masks pass over them. Chunks are split between threads when
/// `concurrency` > 1 (each thread owns its chunks; no synchronisation, no merging).
enum MaskExpander {
    /// Words per chunk (a multiple of the 16-word ChaCha20 block).
    static let chunkWords = 4096
    /// Nonce of pairwise masks (the key is already bound to the pair and the round).
    static let pairwiseNonce = Array("EQM-pairwise".utf8)
    /// Nonce of self masks.
    static let selfNonce = Array("EQM-selfmask".utf8)

    static func apply(_ jobs: [MaskJob], to vector: UnsafeMutableBufferPointer<UInt32>, concurrency: Int) {
        guard !jobs.isEmpty, vector.count > 0 else { return }
        for job in jobs {
            precondition(job.index < job.keys.count && job.nonce.count == 12, "mask key out of range or nonce not 12 bytes")
        }
        let chunks = (vector.count + chunkWords - 1) / chunkWords
        let shared = UncheckedSendable(vector)
        let workers = max(1, min(concurrency, chunks))
        Parallel.forEach(workers, concurrency: workers) { worker in
            let vector = shared.value
            let scratch = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: chunkWords)
            defer {
                // The scratch held mask keystream: erase it.
                SecureMemory.zero(UnsafeMutableRawBufferPointer(scratch))
                scratch.deallocate()
            }
            for chunk in (worker * chunks / workers)..<((worker + 1) * chunks / workers) {
                let start = chunk * chunkWords
                let length = min(chunkWords, vector.count - start)
                let piece = UnsafeMutableBufferPointer(rebasing: scratch[0..<length])
                let target = vector.baseAddress! + start
                for job in jobs {
                    try! ChaCha20Keystream.fill(
                        piece, keys: job.keys, index: job.index, nonce: job.nonce,
                        startingAtBlock: UInt32(start / 16))
                    if job.subtract {
                        for index in 0..<length { target[index] &-= piece[index] }
                    } else {
                        for index in 0..<length { target[index] &+= piece[index] }
                    }
                }
            }
        }
    }
}
