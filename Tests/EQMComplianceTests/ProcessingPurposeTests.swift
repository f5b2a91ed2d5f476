import EQMCompliance
import Testing

@Suite("Processing purposes")
struct ProcessingPurposeTests {
    @Test("consent purposes are training, evaluation and research")
    func purposes() {
        #expect(ProcessingPurpose.allCases.map(\.rawValue) == ["training", "evaluation", "research"])
    }
}
