import Testing

@testable import EQMCore

@Suite("Model file")
struct ModelFileTests {
    @Test("round trip keeps architecture, parameters, metadata and predictions", arguments: ["mlp", "cnn", "gru"])
    func roundTrip(name: String) throws {
        let model = try SequentialModel(spec: ModelSpec.named(name), seed: 21)
        let bytes = ModelFile.encode(model, metadata: ["campaign": "test"])
        let (loaded, header) = try ModelFile.decode(bytes)
        #expect(loaded.spec == model.spec)
        #expect(loaded.parameters == model.parameters)
        #expect(header.metadata["campaign"] == "test")
        let example = (0..<model.inputCount).map { Float($0 % 13) / 13 }
        #expect(try loaded.predict(example) == model.predict(example))
    }

    @Test("any corrupted byte is refused")
    func corruption() throws {
        let bytes = ModelFile.encode(try SequentialModel(spec: .mlp(), seed: 1))
        for offset in [20, bytes.count / 2, bytes.count - 1] {
            var corrupted = bytes
            corrupted[offset] ^= 0x01
            #expect(throws: EQMCoreError.self) { try ModelFile.decode(corrupted) }
            do {
                _ = try ModelFile.decode(corrupted)
            } catch {
                #expect(error.code == .checksumMismatch)
            }
        }
    }

    @Test("foreign, truncated and future files are refused with the right error")
    func foreignFiles() throws {
        let bytes = ModelFile.encode(try SequentialModel(spec: .mlp(), seed: 1))
        func code(_ data: [UInt8]) -> EQMCoreError.Code? {
            do { _ = try ModelFile.decode(data); return nil } catch { return error.code }
        }
        #expect(code(Array("PK\u{3}\u{4} not a model at all, just some bytes of text".utf8)) == .invalidModelFile)
        #expect(code(Array(bytes.prefix(30))) == .checksumMismatch || code(Array(bytes.prefix(30))) == .invalidModelFile)
        #expect(code(Array(bytes.prefix(10))) == .invalidModelFile)
        var future = bytes
        future[8] = 2
        #expect(code(future) == .unsupportedVersion)
    }

    @Test("a file whose header disagrees with its parameters is refused even with a valid checksum")
    func inconsistentHeader() throws {
        let model = try SequentialModel(spec: .mlp(), seed: 1)
        var bytes = ModelFile.encode(model)
        bytes.removeLast(32 + 4)  // drop the checksum and one parameter
        bytes += EQMCryptoShim.checksum(bytes)
        do {
            _ = try ModelFile.decode(bytes)
            Issue.record("inconsistent file accepted")
        } catch {
            #expect(error.code == .invalidModelFile)
            #expect(error.message.contains("parameter"))
        }
    }
}
