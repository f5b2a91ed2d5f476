import EQMCore
import EQMCrypto
import EQMProtocols
import NIOCore
import Testing

@testable import EQMCoordinator

@Suite struct CoordinatorVersionTests {
    @Test func versionIsSemantic() {
        #expect(CoordinatorVersion.string.split(separator: ".").count == 3)
    }
}
