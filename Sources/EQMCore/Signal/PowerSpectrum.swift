/// A one-sided power spectral density estimated with Welch's method, and the power in a band.
///
/// Welch's method (Welch 1967; `scipy.signal.welch`, neurokit2's default `psd_method="welch"`)
/// cuts the series into overlapping segments, removes each segment's linear trend, multiplies it by
/// a periodic Hann window, and averages the segments' periodograms. Segments are placed evenly from
/// the first to the last sample with at least 50 % overlap, so no sample is dropped (scipy instead
/// drops the tail that does not fill a segment). Each periodogram is zero-padded to the next power
/// of two at least four times the segment, which samples the spectrum finely enough that band
/// edges fall within a quarter of the segment's resolution.
///
/// The density is scaled so that it integrates to the (detrended, windowed) series' variance:
/// `P(f_k) = c · |X_k|² / (fs · Σ w²)` with `c = 2` except at 0 Hz and the Nyquist frequency.
/// ``bandPower(from:to:)`` integrates it with the rectangle rule over the bins in `[low, high)`,
/// `Σ P(f_k) Δf`, so the power of all bins is the variance exactly (Parseval). neurokit2 uses the
/// trapezoid rule over the same bins, which differs by at most half a bin at each edge.
public struct PowerSpectrum: Sendable, Hashable {
    /// The spacing of the frequency bins, Hz.
    public let frequencyResolution: Double
    /// The density at bins `0, Δf, 2Δf, …` up to the Nyquist frequency, in the series' unit² per hertz.
    public let density: [Double]
    /// The number of segments averaged.
    public let segmentCount: Int
    /// The segment length, samples.
    public let segmentLength: Int

    /// The frequency of bin `index`, Hz.
    public func frequency(at index: Int) -> Double { Double(index) * frequencyResolution }

    /// The power between `low` (inclusive) and `high` (exclusive) hertz, in the series' unit².
    public func bandPower(from low: Double, to high: Double) -> Double {
        var power = 0.0
        for k in density.indices {
            let frequency = Double(k) * frequencyResolution
            if frequency >= low && frequency < high { power += density[k] }
        }
        return power * frequencyResolution
    }

    /// Estimates the spectrum of a uniformly sampled series.
    ///
    /// - Parameters:
    ///   - series: the samples, all finite.
    ///   - sampleRate: samples per second.
    ///   - segmentLength: the longest segment, in samples; a shorter series is one segment.
    /// - Throws: ``EQMCoreError`` (`invalidData`) when the series has fewer than 4 samples or a
    ///   non-finite one; (`invalidConfiguration`) when the rate or segment length is not positive.
    public static func welch(_ series: [Double], sampleRate: Double, segmentLength: Int) throws(EQMCoreError)
        -> PowerSpectrum
    {
        guard sampleRate > 0 && sampleRate.isFinite && segmentLength >= 4 else {
            throw .invalidConfiguration(
                "expected a positive rate and segments of at least 4 samples, found \(sampleRate) Hz and \(segmentLength)")
        }
        guard series.count >= 4, series.allSatisfy(\.isFinite) else {
            throw .invalidData("expected at least 4 finite samples, found \(series.count) samples")
        }
        let length = Swift.min(series.count, segmentLength)
        let transform = FourierTransform(size: fourierSize(forSegment: length))
        return series.withUnsafeBufferPointer { welch($0, sampleRate: sampleRate, segmentLength: length, transform: transform) }
    }

    /// The transform size used for segments of `length` samples.
    static func fourierSize(forSegment length: Int) -> Int {
        var size = 2
        while size < 4 * length { size *= 2 }
        return size
    }

    /// Welch's estimate (unchecked: finite samples, `4 ≤ segmentLength ≤ series.count`, and a
    /// transform of ``fourierSize(forSegment:)``).
    static func welch(
        _ series: UnsafeBufferPointer<Double>,
        sampleRate: Double,
        segmentLength length: Int,
        transform: FourierTransform
    ) -> PowerSpectrum {
        let n = series.count
        let size = transform.size
        let bins = size / 2 + 1
        let overlapStep = Swift.max(1, length / 2)
        let segments = n <= length ? 1 : (n - length + overlapStep - 1) / overlapStep + 1
        var density = [Double](repeating: 0, count: bins)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * size) { scratch in
            let window = UnsafeMutableBufferPointer(rebasing: scratch[0..<length])
            let real = UnsafeMutableBufferPointer(rebasing: scratch[size..<(2 * size)])
            let imaginary = UnsafeMutableBufferPointer(rebasing: scratch[(2 * size)..<(3 * size)])
            var windowEnergy = 0.0
            for i in 0..<length {
                // Periodic Hann, as scipy's get_window("hann", n).
                window[i] = 0.5 - 0.5 * Math.cos(2 * Double.pi * Double(i) / Double(length))
                windowEnergy += window[i] * window[i]
            }
            // Least-squares line over i = 0..<length: centred abscissa and its sum of squares.
            let centre = Double(length - 1) / 2
            let abscissaSquares = Double(length) * (Double(length) * Double(length) - 1) / 12
            density.withUnsafeMutableBufferPointer { density in
                for segment in 0..<segments {
                    let start = segments == 1 ? 0 : (segment * (n - length) + (segments - 1) / 2) / (segments - 1)
                    var sum = 0.0, moment = 0.0
                    for i in 0..<length {
                        sum += series[start + i]
                        moment += series[start + i] * (Double(i) - centre)
                    }
                    let mean = sum / Double(length)
                    let slope = abscissaSquares > 0 ? moment / abscissaSquares : 0
                    for i in 0..<length {
                        real[i] = (series[start + i] - mean - slope * (Double(i) - centre)) * window[i]
                        imaginary[i] = 0
                    }
                    for i in length..<size {
                        real[i] = 0
                        imaginary[i] = 0
                    }
                    transform.transform(real: real, imaginary: imaginary)
                    for k in 0..<bins { density[k] += real[k] * real[k] + imaginary[k] * imaginary[k] }
                }
                let scale = 1 / (sampleRate * windowEnergy * Double(segments))
                for k in 0..<bins {
                    let oneSided = k == 0 || k == bins - 1 ? 1.0 : 2.0
                    density[k] *= oneSided * scale
                }
            }
        }
        return PowerSpectrum(
            frequencyResolution: sampleRate / Double(size), density: density, segmentCount: segments,
            segmentLength: length)
    }
}
