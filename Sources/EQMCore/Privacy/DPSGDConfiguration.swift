/// Example-level differentially private SGD (Abadi et al. 2016): every example's gradient is
/// clipped to L2 norm `clipNorm`, the clipped gradients are summed, Gaussian noise of standard
/// deviation `noiseMultiplier × clipNorm` is added to the sum, and the result is divided by the
/// expected batch size.
///
/// With `poissonSampling` each step includes every example independently with probability
/// `batchSize / examples` (variable batch sizes), which is the sampling the RDP accountant's
/// subsampled-Gaussian analysis assumes; without it, batches are fixed-size slices of a shuffle
/// and the accountant's amplification bound does not strictly apply.
public struct DPSGDConfiguration: Codable, Sendable, Hashable {
    /// The per-example L2 clip norm C.
    public var clipNorm: Float
    /// The noise multiplier σ (noise standard deviation is σ·C).
    public var noiseMultiplier: Float
    /// Whether batches are Poisson-sampled (default) rather than shuffled fixed-size slices.
    public var poissonSampling: Bool
    /// Where the noise and sampling randomness come from; ``NoiseSource/secure`` unless testing.
    public var noise: NoiseSource

    /// Creates a configuration; noise comes from libsodium unless a test says otherwise.
    public init(clipNorm: Float, noiseMultiplier: Float, poissonSampling: Bool = true, noise: NoiseSource = .secure) {
        self.clipNorm = clipNorm
        self.noiseMultiplier = noiseMultiplier
        self.poissonSampling = poissonSampling
        self.noise = noise
    }

    /// Checks ranges.
    public func validate() throws(EQMCoreError) {
        guard clipNorm > 0, clipNorm.isFinite else {
            throw .invalidConfiguration("DP clip norm must be a positive number, found \(clipNorm)")
        }
        guard noiseMultiplier >= 0, noiseMultiplier.isFinite else {
            throw .invalidConfiguration("DP noise multiplier must be a non-negative number, found \(noiseMultiplier)")
        }
    }
}
