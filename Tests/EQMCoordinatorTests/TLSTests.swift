import EQMAPI
import EQMCoordinator
import EQMCrypto
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct TLSTests {
    /// With --tls-cert and --tls-key the API is served over TLS (a self-signed certificate made
    /// with the openssl command for the test).
    @Test func servesTheAPIOverTLS() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = folder.appendingPathComponent("cert.pem").path, key = folder.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
            "/CN=127.0.0.1",
            "-keyout", key, "-out", certificate,
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a test certificate")

        let harness = try await CoordinatorHarness(tls: (certificate, key))
        try await harness.application().test(.ahc(.https)) { client in
            let health = try await client.call(.get, "/healthz")
            #expect(health.status == .ok)
            let info = try await client.call(.get, "/v1/coordinator").decode(CoordinatorInfo.self)
            #expect(info.signingKey == harness.coordinator.identity.publicKey.hex)
        }
    }
}
