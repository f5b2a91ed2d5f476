/// The purposes a user consents to separately (GDPR Art. 6, 7 and 9): no processing for a
/// purpose without current consent for it.
public enum ProcessingPurpose: String, CaseIterable, Codable, Sendable, Hashable {
    /// Taking part in federated training rounds.
    case training
    /// Reporting evaluation metrics on one's own held-out data.
    case evaluation
    /// Research use of aggregated models and metrics.
    case research
}
