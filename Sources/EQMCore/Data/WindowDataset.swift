/// Labelled model inputs cut from users' recordings: one example per window, stored flat and
/// contiguous (`count × exampleSize` floats), with each example's label and user.
///
/// Build one with ``build(recordings:representation:windowSeconds:stepSeconds:normalizePerUser:)``
/// and hold users out with ``split(heldOutUsers:)`` or ``split(heldOutFraction:seed:)``: examples
/// are always split by user, never within one, so evaluation measures generalisation to people
/// the model has not seen.
public struct WindowDataset: Sendable {
    /// What each example holds.
    public enum Representation: Sendable, Hashable {
        /// The 48 ``SummaryFeatures`` of the window (the sixteen ``WindowFeatures`` of the window
        /// and of each of its halves); example shape `[48]`.
        case features
        /// The six channels on a uniform grid of `steps` points; example shape `[steps, 6]`
        /// (256 steps over 64 s is 4 Hz, for convolutional models; 64 steps is 1 Hz, for recurrent ones).
        case sequence(steps: Int)
    }

    /// The shape of one example: `[48]`, or `[steps, 6]` for sequences.
    public let exampleShape: [Int]
    /// The examples, one after another (`count × exampleSize` values).
    public let inputs: [Float]
    /// Each example's label, as an ``EmotionLabel/index``.
    public let labels: [Int]
    /// The user each example comes from.
    public let userIDs: [String]
    /// The start of each example's window, in seconds from the start of its recording.
    public let windowStarts: [Double]

    /// Creates a dataset from its parts.
    ///
    /// - Throws: ``EQMCoreError`` (`invalidShape`) when the parts disagree in size, or
    ///   (`invalidData`) when a label is not an ``EmotionLabel`` index.
    public init(exampleShape: [Int], inputs: [Float], labels: [Int], userIDs: [String], windowStarts: [Double])
        throws(EQMCoreError)
    {
        let exampleSize = exampleShape.reduce(1, *)
        guard !exampleShape.isEmpty, exampleShape.allSatisfy({ $0 > 0 }) else {
            throw .invalidShape("expected positive example dimensions, found \(exampleShape)")
        }
        guard inputs.count == labels.count * exampleSize, userIDs.count == labels.count, windowStarts.count == labels.count else {
            throw .invalidShape(
                "expected \(labels.count) examples of \(exampleSize) values with as many users and window starts, "
                    + "found \(inputs.count) values, \(userIDs.count) users and \(windowStarts.count) window starts"
            )
        }
        guard labels.allSatisfy({ $0 >= 0 && $0 < EmotionLabel.count }) else {
            throw .invalidData("expected labels in 0..<\(EmotionLabel.count)")
        }
        self.init(unchecked: exampleShape, inputs: inputs, labels: labels, userIDs: userIDs, windowStarts: windowStarts)
    }

    private init(unchecked exampleShape: [Int], inputs: [Float], labels: [Int], userIDs: [String], windowStarts: [Double]) {
        self.exampleShape = exampleShape
        self.inputs = inputs
        self.labels = labels
        self.userIDs = userIDs
        self.windowStarts = windowStarts
    }

    /// The number of examples.
    public var count: Int { labels.count }

    /// The number of values in one example.
    public var exampleSize: Int { exampleShape.reduce(1, *) }

    /// The values of example `index`.
    public func example(at index: Int) -> ArraySlice<Float> {
        inputs[(index * exampleSize)..<((index + 1) * exampleSize)]
    }

    /// The distinct users, in order of first appearance.
    public var users: [String] {
        var seen = Set<String>()
        return userIDs.filter { seen.insert($0).inserted }
    }

    /// The number of examples of each label, in ``EmotionLabel`` order.
    public var labelCounts: [Int] {
        var counts = [Int](repeating: 0, count: EmotionLabel.count)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// The examples at `indices`, in that order.
    ///
    /// - Precondition: every index is in `0..<count`.
    public func subset(_ indices: [Int]) -> WindowDataset {
        let size = exampleSize
        var selected = [Float]()
        selected.reserveCapacity(indices.count * size)
        for index in indices { selected.append(contentsOf: inputs[(index * size)..<((index + 1) * size)]) }
        return WindowDataset(
            unchecked: exampleShape, inputs: selected, labels: indices.map { labels[$0] },
            userIDs: indices.map { userIDs[$0] }, windowStarts: indices.map { windowStarts[$0] }
        )
    }

    /// Splits by user: every example of a user in `heldOutUsers` goes to `heldOut`, all others to `training`.
    public func split(heldOutUsers: Set<String>) -> (training: WindowDataset, heldOut: WindowDataset) {
        let heldOut = userIDs.indices.filter { heldOutUsers.contains(userIDs[$0]) }
        let training = userIDs.indices.filter { !heldOutUsers.contains(userIDs[$0]) }
        return (subset(training), subset(heldOut))
    }

    /// Splits by user, holding out a seeded random `heldOutFraction` of the users (at least one,
    /// and at least one left for training when there are two or more users).
    ///
    /// - Throws: ``EQMCoreError`` (`invalidConfiguration`) when the fraction is not in (0, 1).
    public func split(heldOutFraction: Double, seed: UInt64) throws(EQMCoreError) -> (
        training: WindowDataset, heldOut: WindowDataset
    ) {
        guard heldOutFraction > 0 && heldOutFraction < 1 else {
            throw .invalidConfiguration("held-out fraction must be in (0, 1), found \(heldOutFraction)")
        }
        var generator = SeededGenerator(seed: seed)
        let shuffled = users.shuffled(using: &generator)
        var heldOutCount = Swift.max(1, Int((heldOutFraction * Double(shuffled.count)).rounded()))
        if shuffled.count >= 2 { heldOutCount = Swift.min(heldOutCount, shuffled.count - 1) }
        return split(heldOutUsers: Set(shuffled.prefix(heldOutCount)))
    }

    /// Builds labelled examples from every recording: windows of `windowSeconds` every
    /// `stepSeconds` (see ``WindowSlicer``; a window is kept when one state covers at least 75 %
    /// of it and no channel of its ``ModelInputBuilder`` grid is more than 30 % missing, whichever
    /// the representation, so both keep the same windows), converted to `representation` (a
    /// ``FeatureExtractor`` for ``SummaryFeatures``, the builder's grid for sequences) and, when
    /// `normalizePerUser`, z-scored with a ``FeatureNormalizer`` fitted on that user's own
    /// examples. Missing summary features become 0 after normalisation and all are clipped to
    /// ±``SummaryFeatures/clipLimit`` (see ``SummaryFeatures``); without per-user normalisation
    /// missing features stay `NaN`.
    ///
    /// - Throws: ``EQMCoreError`` (`invalidConfiguration`) when the window, step or number of
    ///   sequence steps is out of range.
    public static func build(
        recordings: [UserRecording],
        representation: Representation,
        windowSeconds: Double = 64,
        stepSeconds: Double = 32,
        normalizePerUser: Bool = true,
        extractor: FeatureExtractor = FeatureExtractor()
    ) throws(EQMCoreError) -> WindowDataset {
        let slicer = WindowSlicer(windowSeconds: windowSeconds, stepSeconds: stepSeconds)
        try slicer.validate()
        let gridSteps: Int
        let exampleShape: [Int]
        switch representation {
        case .features:
            // The 4 Hz grid only decides which windows are usable, as for sequences.
            gridSteps = Swift.max(2, Int((windowSeconds * 4).rounded()))
            exampleShape = [SummaryFeatures.count]
        case .sequence(let steps):
            guard steps >= 2 && Double(steps) <= windowSeconds * 64 else {
                throw .invalidConfiguration("sequence steps must be in 2...\(Int(windowSeconds * 64)), found \(steps)")
            }
            gridSteps = steps
            exampleShape = [steps, ModelInputChannel.count]
        }
        let exampleSize = exampleShape.reduce(1, *)
        let normalizedWidth = exampleShape.last!
        let gridSize = gridSteps * ModelInputChannel.count

        var inputs: [Float] = []
        var labels: [Int] = []
        var userIDs: [String] = []
        var windowStarts: [Double] = []
        var grid = [Float](repeating: 0, count: gridSize)
        var features = [Float](repeating: 0, count: SummaryFeatures.count)

        for recording in recordings {
            let builder = ModelInputBuilder(recording: recording)
            let signals = WearableSignals(recording: recording)
            // Half-window features by start time: with the default step (half a window) the
            // second half of one window is the first half of the next.
            var halves: [Int64: WindowFeatures] = [:]
            func featuresOfHalf(from start: Double) -> WindowFeatures {
                let key = Int64((start * 1000).rounded())
                if let cached = halves[key] { return cached }
                let computed = extractor.features(of: signals, from: start, to: start + windowSeconds / 2)
                halves[key] = computed
                return computed
            }
            let userStart = inputs.count
            for window in slicer.windows(in: recording) {
                let usable = grid.withUnsafeMutableBufferPointer {
                    builder.fill($0, start: window.start, duration: window.duration, steps: gridSteps)
                }
                guard usable else { continue }
                switch representation {
                case .features:
                    let whole = extractor.features(of: signals, from: window.start, to: window.start + windowSeconds)
                    let firstHalf = featuresOfHalf(from: window.start)
                    let secondHalf = featuresOfHalf(from: window.start + windowSeconds / 2)
                    features.withUnsafeMutableBufferPointer { output in
                        SummaryFeatures.write(window: whole, firstHalf: firstHalf, secondHalf: secondHalf, into: output)
                    }
                    inputs.append(contentsOf: features)
                case .sequence:
                    inputs.append(contentsOf: grid)
                }
                labels.append(window.label.index)
                userIDs.append(recording.userID)
                windowStarts.append(window.start)
            }
            if normalizePerUser && inputs.count > userStart {
                inputs.withUnsafeMutableBufferPointer { all in
                    let user = UnsafeMutableBufferPointer(rebasing: all[userStart...])
                    let normalizer = FeatureNormalizer(
                        fitting: UnsafeBufferPointer(user), featureCount: normalizedWidth,
                        minimumStandardDeviation: FeatureNormalizer.defaultMinimumStandardDeviation
                    )
                    normalizer.normalize(user)
                    if case .features = representation { SummaryFeatures.finishNormalized(user) }
                }
            }
        }
        assert(inputs.count == labels.count * exampleSize)
        return WindowDataset(
            unchecked: exampleShape, inputs: inputs, labels: labels, userIDs: userIDs, windowStarts: windowStarts
        )
    }
}
