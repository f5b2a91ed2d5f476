internal import Dispatch

/// Fork–join parallelism for the hot loops (mask expansion, key agreement): `body` runs for every
/// index in 0..<count on at most `concurrency` threads, and the call returns when all are done.
/// No task outlives the call, so no unstructured concurrency leaks out of the library.
enum Parallel {
    static func forEach(_ count: Int, concurrency: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        let workers = max(1, min(concurrency, count))
        if workers == 1 {
            for index in 0..<count { body(index) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                // Contiguous ranges: neighbouring indices touch neighbouring memory.
                let start = worker * count / workers, end = (worker + 1) * count / workers
                for index in start..<end { shared.value(index) }
            }
        }
    }
}
