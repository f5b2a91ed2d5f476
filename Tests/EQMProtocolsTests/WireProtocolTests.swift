import EQMProtocols
import Testing

@Suite("Wire protocol")
struct WireProtocolTests {
    @Test("the protocol has a positive version")
    func version() { #expect(WireProtocol.version >= 1) }
}
