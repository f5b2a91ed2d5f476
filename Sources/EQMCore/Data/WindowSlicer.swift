/// Cuts a recording into fixed-length, overlapping windows and labels each with the state that
/// covers most of it, dropping windows that straddle states without a clear majority.
public struct WindowSlicer: Sendable, Hashable {
    /// A labelled span of a recording.
    public struct Window: Sendable, Hashable {
        /// The start of the window, in seconds from the start of the recording.
        public var start: Double
        /// The length of the window, in seconds.
        public var duration: Double
        /// The state covering most of the window.
        public var label: EmotionLabel
        /// The fraction of the window covered by `label`.
        public var labelShare: Double
    }

    /// The length of each window, in seconds.
    public var windowSeconds: Double
    /// The time between the starts of consecutive windows, in seconds.
    public var stepSeconds: Double
    /// The smallest fraction of a window its label must cover for the window to be kept.
    public var minimumLabelShare: Double

    /// Creates a slicer; the defaults are 64 s windows every 32 s, kept when one state covers
    /// at least 75 % of the window.
    public init(windowSeconds: Double = 64, stepSeconds: Double = 32, minimumLabelShare: Double = 0.75) {
        self.windowSeconds = windowSeconds
        self.stepSeconds = stepSeconds
        self.minimumLabelShare = minimumLabelShare
    }

    /// Checks the window length, step and label share are usable.
    ///
    /// - Throws: ``EQMCoreError`` (`invalidConfiguration`) naming the expected range and the value found.
    public func validate() throws(EQMCoreError) {
        guard windowSeconds.isFinite && windowSeconds >= 1 else {
            throw .invalidConfiguration("window length must be at least 1 s, found \(windowSeconds)")
        }
        guard stepSeconds.isFinite && stepSeconds >= 0.25 else {
            throw .invalidConfiguration("window step must be at least 0.25 s, found \(stepSeconds)")
        }
        guard minimumLabelShare > 0.5 && minimumLabelShare <= 1 else {
            throw .invalidConfiguration("minimum label share must be in (0.5, 1], found \(minimumLabelShare)")
        }
    }

    /// The labelled windows of `recording` that lie entirely inside it, in time order.
    public func windows(in recording: UserRecording) -> [Window] {
        let duration = recording.duration
        guard windowSeconds > 0, stepSeconds > 0, duration >= windowSeconds else { return [] }
        var windows: [Window] = []
        windows.reserveCapacity(Int((duration - windowSeconds) / stepSeconds) + 1)
        var index = 0
        while true {
            // Multiply rather than accumulate, so long recordings do not drift.
            let start = Double(index) * stepSeconds
            guard start + windowSeconds <= duration + 1e-9 else { break }
            index += 1
            guard let (label, share) = recording.majorityLabel(from: start, to: start + windowSeconds),
                share >= minimumLabelShare
            else { continue }
            windows.append(Window(start: start, duration: windowSeconds, label: label, labelShare: share))
        }
        return windows
    }
}
