public import Foundation

/// A round or registry event, streamed on `/v1/events` to nodes and dashboards.
public struct CoordinatorEvent: Codable, Sendable, Hashable {
    /// `round.started`, `round.stage`, `round.committed`, `round.aborted`, `model.released`,
    /// `campaign.stopped`.
    public var type: String
    public var campaign: String
    public var round: Int?
    public var stage: Int?
    public var modelVersion: String?
    public var reason: String?
    /// Unix seconds.
    public var time: Double

    public init(
        type: String, campaign: String, round: Int? = nil, stage: Int? = nil, modelVersion: String? = nil,
        reason: String? = nil, time: Double = Date().timeIntervalSince1970
    ) {
        self.type = type
        self.campaign = campaign
        self.round = round
        self.stage = stage
        self.modelVersion = modelVersion
        self.reason = reason
        self.time = time
    }

    enum CodingKeys: String, CodingKey {
        case type, campaign, round, stage, reason, time
        case modelVersion = "model_version"
    }
}
