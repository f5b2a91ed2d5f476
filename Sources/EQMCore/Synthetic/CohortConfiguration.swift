/// The knobs of a synthetic cohort: how many wearers, how long, how skewed their label mixes
/// and how imperfect their sensors.
///
/// The same configuration always generates the same cohort, and user `i`'s recording depends
/// only on the seed and `i` (not on ``users``), so cohorts of different sizes share their users.
public struct CohortConfiguration: Sendable, Codable, Hashable {
    /// The number of users (wearers) in the cohort.
    public var users: Int
    /// The length of each user's recording, in minutes.
    public var minutesPerUser: Double
    /// The seed all randomness derives from.
    public var seed: UInt64
    /// The concentration of the symmetric Dirichlet distribution each user's label mix is drawn
    /// from: small values (0.1) give users dominated by one or two states (strongly non-IID),
    /// large values (100) give every user nearly the same, uniform mix.
    public var labelConcentration: Double
    /// The range of episode lengths, in minutes; lengths are uniform in this range.
    public var episodeMinutes: ClosedRange<Double>
    /// Motion artefacts on the pulse signal per minute at the user's usual activity level
    /// (more during vigorous movement, fewer when still).
    public var artefactRate: Double
    /// Sensor gaps (runs of missing samples of 2–8 s) per minute, independently on each of the
    /// pulse, skin-conductance, temperature and oxygen-saturation channels.
    public var gapRate: Double

    /// Creates a configuration; see each property for its meaning.
    public init(
        users: Int,
        minutesPerUser: Double = 30,
        seed: UInt64,
        labelConcentration: Double = 1.0,
        episodeMinutes: ClosedRange<Double> = 2...5,
        artefactRate: Double = 0.5,
        gapRate: Double = 0.05
    ) {
        self.users = users
        self.minutesPerUser = minutesPerUser
        self.seed = seed
        self.labelConcentration = labelConcentration
        self.episodeMinutes = episodeMinutes
        self.artefactRate = artefactRate
        self.gapRate = gapRate
    }

    /// Checks every value is in range.
    ///
    /// - Throws: ``EQMCoreError`` with code `invalidConfiguration`, naming the expected range and the value found.
    public func validate() throws(EQMCoreError) {
        guard users >= 1 && users <= 1_000_000 else {
            throw .invalidConfiguration("cohort users must be in 1...1000000, found \(users)")
        }
        guard minutesPerUser.isFinite && minutesPerUser >= 1 && minutesPerUser <= 24 * 60 else {
            throw .invalidConfiguration("minutes per user must be in 1...1440, found \(minutesPerUser)")
        }
        guard labelConcentration.isFinite && labelConcentration >= 0.01 && labelConcentration <= 10_000 else {
            throw .invalidConfiguration("label concentration must be in 0.01...10000, found \(labelConcentration)")
        }
        guard
            episodeMinutes.lowerBound.isFinite && episodeMinutes.upperBound.isFinite
                && episodeMinutes.lowerBound >= 0.5 && episodeMinutes.upperBound <= 120
        else {
            throw .invalidConfiguration(
                "episode minutes must lie within 0.5...120, found \(episodeMinutes.lowerBound)...\(episodeMinutes.upperBound)"
            )
        }
        guard artefactRate.isFinite && artefactRate >= 0 && artefactRate <= 10 else {
            throw .invalidConfiguration("artefact rate must be in 0...10 per minute, found \(artefactRate)")
        }
        guard gapRate.isFinite && gapRate >= 0 && gapRate <= 2 else {
            throw .invalidConfiguration("gap rate must be in 0...2 per minute, found \(gapRate)")
        }
    }
}
