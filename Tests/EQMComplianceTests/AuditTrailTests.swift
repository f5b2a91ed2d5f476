import EQMCompliance
import EQMCrypto
import Foundation
import Testing

@Suite("Hash-chained audit trail")
struct AuditTrailTests {
    static func trail(entries: Int, interval: Int = 4) throws -> (InMemoryChainStore, SigningKey) {
        let store = InMemoryChainStore()
        let key = SigningKey()
        var clock = Date(timeIntervalSince1970: 1_700_000_000)
        let trail = AuditTrail(
            store: store, signer: key, checkpointInterval: interval,
            now: {
                clock += 1
                return clock
            })
        for index in 0..<entries {
            try trail.record(
                AuditEvent(
                    time: "2026-11-25T10:00:\(10 + index)Z", actor: "operator:1",
                    action: index % 2 == 0 ? .consentGranted : .roundCompleted,
                    subject: "node:\(index % 3)", details: ["round": "\(index)"]))
        }
        try trail.checkpoint()
        return (store, key)
    }

    @Test("an intact trail verifies against the signer's key, with checkpoints every interval and at the end")
    func intact() throws {
        let (store, key) = try Self.trail(entries: 10)
        #expect(store.storedCheckpoints.map(\.sequence) == [3, 7, 9])
        #expect(
            AuditTrail.chain.verify(store.storedLinks, checkpoints: store.storedCheckpoints, publicKey: key.publicKey).isEmpty)
    }

    @Test("editing any single byte of any entry fails verification and names that entry")
    func everyByte() throws {
        let (store, key) = try Self.trail(entries: 6)
        for link in store.storedLinks {
            let encoded = Array(try JSONEncoder().encode(link))
            // Flip bytes across the whole serialised entry (every field), one at a time.
            for position in stride(from: 0, to: encoded.count, by: 7) {
                var bytes = encoded
                bytes[position] ^= 0x01
                guard let modified = try? JSONDecoder().decode(ChainLink.self, from: Data(bytes)) else { continue }  // unparseable: refused anyway
                guard modified != link else { continue }
                var links = store.storedLinks
                links[link.sequence] = modified
                let problems = AuditTrail.chain.verify(links, checkpoints: store.storedCheckpoints, publicKey: key.publicKey)
                #expect(!problems.isEmpty, "a modification at byte \(position) of entry \(link.sequence) went unnoticed")
                #expect(
                    problems.contains { $0.sequence == link.sequence || $0.sequence == modified.sequence },
                    "problems do not name entry \(link.sequence): \(problems)")
            }
        }
    }

    @Test("a removed, reordered or appended-after-the-fact entry is detected")
    func structure() throws {
        let (store, key) = try Self.trail(entries: 8)
        var removed = store.storedLinks
        removed.remove(at: 3)
        #expect(!AuditTrail.chain.verify(removed, checkpoints: store.storedCheckpoints, publicKey: key.publicKey).isEmpty)
        var reordered = store.storedLinks
        reordered.swapAt(2, 5)
        #expect(!AuditTrail.chain.verify(reordered, checkpoints: store.storedCheckpoints, publicKey: key.publicKey).isEmpty)
        // Dropping the tail is caught by the signed checkpoint at the end.
        let truncated = Array(store.storedLinks.prefix(6))
        let problems = AuditTrail.chain.verify(truncated, checkpoints: store.storedCheckpoints, publicKey: key.publicKey)
        #expect(problems.contains { $0.kind == .truncated })
    }

    @Test("checkpoints signed by another key, or with a broken signature, are rejected")
    func checkpoints() throws {
        let (store, key) = try Self.trail(entries: 4)
        #expect(
            !AuditTrail.chain.verify(store.storedLinks, checkpoints: store.storedCheckpoints, publicKey: SigningKey().publicKey)
                .isEmpty)
        var forged = store.storedCheckpoints
        forged[0].time = "2030-01-01T00:00:00Z"
        #expect(
            AuditTrail.chain.verify(store.storedLinks, checkpoints: forged, publicKey: key.publicKey).contains {
                $0.kind == .badCheckpoint
            })
        // A chain re-hashed consistently by someone without the key still fails at the checkpoint.
        var rebuilt = [ChainLink]()
        for link in store.storedLinks {
            rebuilt.append(
                AuditTrail.chain.link(
                    after: rebuilt.last, payload: link.payload.replacingOccurrences(of: "operator:1", with: "operator:2")))
        }
        #expect(
            AuditTrail.chain.verify(rebuilt, checkpoints: store.storedCheckpoints, publicKey: key.publicKey).contains {
                $0.kind == .modified
            })
    }

    @Test("entries cannot move between chains")
    func domainSeparation() throws {
        let (store, _) = try Self.trail(entries: 2)
        #expect(!HashChain(name: "ledger").verify(store.storedLinks, checkpoints: [], publicKey: nil).isEmpty)
    }
}
