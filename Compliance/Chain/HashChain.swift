public import EQMCrypto
import Foundation

/// Builds and verifies hash chains of ``ChainLink``s with signed ``ChainCheckpoint``s.
public struct HashChain: Sendable {
    /// The chain's name, part of every hash and signature ("audit", "ledger"), so entries cannot
    /// be moved from one chain to another.
    public let name: String

    /// The previous hash of the first link.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Creates a chain description.
    public init(name: String) { self.name = name }

    /// The hash of a link with these fields.
    public func hash(sequence: Int, previousHash: String, payload: String) -> String {
        let hasher = Blake2b.Hasher(length: 32)
        hasher.update(Array("eqm.chain.v1|\(name)|\(sequence)|\(previousHash)|".utf8))
        hasher.update(Array(payload.utf8))
        return hasher.finalize().hexString
    }

    /// The link that follows `previous` with `payload`.
    public func link(after previous: ChainLink?, payload: String) -> ChainLink {
        let sequence = (previous?.sequence ?? -1) + 1
        let previousHash = previous?.hash ?? Self.genesisHash
        return ChainLink(
            sequence: sequence, previousHash: previousHash, payload: payload,
            hash: hash(sequence: sequence, previousHash: previousHash, payload: payload))
    }

    /// A checkpoint over `link`, signed with `key`.
    public func checkpoint(_ link: ChainLink, time: String, key: SigningKey) -> ChainCheckpoint {
        var checkpoint = ChainCheckpoint(
            sequence: link.sequence, hash: link.hash, time: time, signer: key.publicKey.hex, signature: "")
        checkpoint.signature = key.sign(checkpoint.signedBytes(chain: name)).hexString
        return checkpoint
    }

    /// Canonical JSON of an entry: sorted keys, no insignificant white space.
    public static func canonicalJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Checks every link and checkpoint; returns every problem found (empty when the chain is intact).
    ///
    /// - Parameter publicKey: the key checkpoints must be signed with; nil accepts the signer
    ///   named in each checkpoint (then only consistency, not authorship, is proven).
    public func verify(_ links: [ChainLink], checkpoints: [ChainCheckpoint], publicKey: PublicKey?) -> [ChainProblem] {
        var problems = [ChainProblem]()
        var previousHash = Self.genesisHash
        for (position, link) in links.enumerated() {
            if link.sequence != position {
                problems.append(
                    ChainProblem(
                        sequence: link.sequence, kind: .sequence,
                        message:
                            "entry at position \(position) has sequence \(link.sequence): an entry was removed, inserted or reordered"
                    ))
            }
            if link.previousHash != previousHash {
                problems.append(
                    ChainProblem(
                        sequence: link.sequence, kind: .brokenLink,
                        message:
                            "entry \(link.sequence) does not follow the entry before it (previous hash differs): an entry was removed, inserted, reordered or edited"
                    ))
            }
            let expected = hash(sequence: link.sequence, previousHash: link.previousHash, payload: link.payload)
            if !ConstantTime.equals(Array(expected.utf8), Array(link.hash.utf8)) {
                problems.append(
                    ChainProblem(
                        sequence: link.sequence, kind: .modified,
                        message: "entry \(link.sequence) was modified: its contents do not match its hash"))
            }
            previousHash = link.hash
        }
        let bySequence = Dictionary(links.map { ($0.sequence, $0) }, uniquingKeysWith: { first, _ in first })
        for checkpoint in checkpoints {
            let signer: PublicKey
            do {
                signer = try PublicKey(hex: checkpoint.signer)
            } catch {
                problems.append(
                    ChainProblem(
                        sequence: checkpoint.sequence, kind: .badCheckpoint,
                        message: "checkpoint at entry \(checkpoint.sequence) names an invalid signer key"))
                continue
            }
            if let publicKey, signer != publicKey {
                problems.append(
                    ChainProblem(
                        sequence: checkpoint.sequence, kind: .badCheckpoint,
                        message:
                            "checkpoint at entry \(checkpoint.sequence) is signed by \(signer.hex.prefix(16))…, not by the expected key \(publicKey.hex.prefix(16))…"
                    ))
                continue
            }
            let signature = [UInt8](hex: checkpoint.signature) ?? []
            if !signer.isValidSignature(signature, for: checkpoint.signedBytes(chain: name)) {
                problems.append(
                    ChainProblem(
                        sequence: checkpoint.sequence, kind: .badCheckpoint,
                        message: "checkpoint at entry \(checkpoint.sequence) has an invalid signature"))
                continue
            }
            guard let link = bySequence[checkpoint.sequence] else {
                problems.append(
                    ChainProblem(
                        sequence: checkpoint.sequence, kind: .truncated,
                        message:
                            "a signed checkpoint covers entry \(checkpoint.sequence), which is missing: entries were removed from the end"
                    ))
                continue
            }
            if link.hash != checkpoint.hash {
                problems.append(
                    ChainProblem(
                        sequence: checkpoint.sequence, kind: .modified,
                        message: "entry \(checkpoint.sequence) differs from the one the signed checkpoint covers"))
            }
        }
        return problems
    }

}

/// A problem a chain verification found, naming the entry.
public struct ChainProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What kind of problem.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An entry's contents do not match its hash, or differ from what a checkpoint signed.
        case modified
        /// An entry does not point at the one before it.
        case brokenLink
        /// Sequence numbers are not consecutive.
        case sequence
        /// A checkpoint's signature or signer is wrong.
        case badCheckpoint
        /// Entries a checkpoint covers are missing.
        case truncated
        /// A recomputed value (ε) differs from the recorded one.
        case mismatch
    }

    /// The entry concerned.
    public var sequence: Int
    /// The kind of problem.
    public var kind: Kind
    /// A sentence for people.
    public var message: String

    /// Creates a problem report.
    public init(sequence: Int, kind: Kind, message: String) {
        self.sequence = sequence
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
