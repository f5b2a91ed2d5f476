import EQMClient
import EQMCore
import Testing

@Suite("Signal assembly")
struct SignalAssemblerTests {
    @Test("series become uniform grids at the canonical rates, gaps stay missing")
    func grids() throws {
        let eda =
            (0..<40).map { StoredSample(start: 1000 + Double($0) * 0.25, value: 2 + Double($0) * 0.01) }
            + (60..<80).map { StoredSample(start: 1000 + Double($0) * 0.25, value: 3) }
        let signals = try SignalAssembler.signals(from: [.electrodermalActivity: eda])
        let grid = try #require(signals.eda)
        #expect(grid.sampleRate == 4 && grid.values.count == 80)
        #expect(abs(grid.values[10] - 2.1) < 1e-5)
        #expect(grid.values[50].isNaN)  // a 5 s hole is not interpolated across
        #expect(signals.bvp == nil && signals.acceleration == nil)
    }

    @Test("a span too long to grid is a clear error, not a silently missing sensor")
    func tooLong() {
        let bvp = [StoredSample(start: 0, value: 1), StoredSample(start: 90 * 86_400, value: 1)]
        do {
            _ = try SignalAssembler.signals(from: [.bloodVolumePulse: bvp])
            Issue.record("a 90-day 64 Hz grid was accepted")
        } catch {
            #expect(error.message.contains("blood_volume_pulse") && error.message.contains("shorter time range"))
        }
    }
}
