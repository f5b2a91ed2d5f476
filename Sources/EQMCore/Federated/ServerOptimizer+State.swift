internal import EQMCrypto

/// Persistence of a ``ServerOptimizer``'s state across coordinator restarts.
///
/// Layout (all integers little-endian, floats as Float32 bit patterns):
///
/// | offset | size | content |
/// | --- | --- | --- |
/// | 0 | 8 | magic `EQMSVOPT` |
/// | 8 | 4 | format version (currently 1) |
/// | 12 | 4 | optimiser: 1 FedAvg, 2 FedAdam, 3 FedYogi |
/// | 16 | 8 | dimension D |
/// | 24 | 8 | step |
/// | 32 | 4·D | first moment m |
/// | 32+4·D | 4·D (adaptive) or 0 | second moment v |
/// | end−32 | 32 | BLAKE2b-256 of every preceding byte |
///
/// Hyper-parameters are not stored: they come from the campaign's configuration, so a restart may
/// change η (say) and continue with the same moments. The optimiser kind and the dimension must
/// match, or the state is refused.
extension ServerOptimizer {
    /// The current state format version.
    public static let stateFormatVersion: UInt32 = 1
    private static let stateMagic = Array("EQMSVOPT".utf8)
    private static let stateHeaderLength = 32
    private static let stateChecksumLength = 32

    /// The state as versioned, checksummed bytes, for ``init(configuration:dimension:encodedState:)``.
    public func encodedState() -> [UInt8] {
        var bytes = Self.stateMagic
        bytes.reserveCapacity(
            Self.stateHeaderLength + 4 * (firstMoment.count + secondMoment.count) + Self.stateChecksumLength)
        append(Self.stateFormatVersion, to: &bytes)
        append(Self.stateCode(of: configuration.kind), to: &bytes)
        append(UInt64(dimension), to: &bytes)
        append(UInt64(step), to: &bytes)
        Self.appendLittleEndian(firstMoment, to: &bytes)
        Self.appendLittleEndian(secondMoment, to: &bytes)
        bytes += Blake2b.hash(bytes, length: Self.stateChecksumLength)
        return bytes
    }

    /// Restores a state written by ``encodedState()`` for the same optimiser kind and dimension.
    ///
    /// Refuses, naming the problem: bytes that are not a server optimiser state or are truncated
    /// (``EQMCoreError/Code/invalidData``), another format version
    /// (``EQMCoreError/Code/unsupportedVersion``), a checksum that does not match
    /// (``EQMCoreError/Code/checksumMismatch``), a state of another optimiser kind
    /// (``EQMCoreError/Code/invalidConfiguration``) or dimension (``EQMCoreError/Code/invalidShape``),
    /// and non-finite or negative-variance values (``EQMCoreError/Code/invalidData``).
    public init(configuration: ServerOptimizerConfiguration, dimension: Int, encodedState bytes: [UInt8])
        throws(EQMCoreError)
    {
        try self.init(configuration: configuration, dimension: dimension)
        let minimum = Self.stateHeaderLength + Self.stateChecksumLength
        guard bytes.count >= minimum else {
            throw .invalidData("server optimiser state is \(bytes.count) bytes, too short (at least \(minimum))")
        }
        guard Array(bytes[0..<8]) == Self.stateMagic else {
            throw .invalidData("not a server optimiser state (expected magic 'EQMSVOPT' at the start)")
        }
        let version = UInt32(truncatingIfNeeded: Self.read(bytes, at: 8, count: 4))
        guard version == Self.stateFormatVersion else {
            throw .unsupportedVersion(
                "server optimiser state format version \(version) is not supported; this build reads version \(Self.stateFormatVersion)"
            )
        }
        let bodyLength = bytes.count - Self.stateChecksumLength
        let actual = bytes[0..<bodyLength].withUnsafeBytes { Blake2b.hash($0, length: Self.stateChecksumLength) }
        guard ConstantTime.equals(actual, Array(bytes[bodyLength...])) else {
            throw .checksumMismatch(
                "server optimiser state checksum does not match its contents: the state is corrupted or was modified")
        }
        let code = UInt32(truncatingIfNeeded: Self.read(bytes, at: 12, count: 4))
        guard let kind = Self.kind(stateCode: code) else {
            throw .invalidData("server optimiser state names unknown optimiser code \(code)")
        }
        guard kind == configuration.kind else {
            throw .invalidConfiguration(
                "server optimiser state was written by \(kind), but the configuration is \(configuration.kind)")
        }
        let storedDimension = Self.read(bytes, at: 16, count: 8)
        guard storedDimension == UInt64(dimension) else {
            throw .invalidShape("server optimiser state has dimension \(storedDimension), expected \(dimension)")
        }
        let storedStep = Self.read(bytes, at: 24, count: 8)
        guard storedStep <= UInt64(Int.max) else {
            throw .invalidData("server optimiser state has step \(storedStep), out of range")
        }
        let moments = kind.isAdaptive ? 2 : 1
        let expected = Self.stateHeaderLength + 4 * moments * dimension + Self.stateChecksumLength
        guard bytes.count == expected else {
            throw .invalidData(
                "server optimiser state of \(kind) with dimension \(dimension) must be \(expected) bytes, found \(bytes.count)")
        }
        Self.readLittleEndian(bytes, at: Self.stateHeaderLength, into: &firstMoment)
        if kind.isAdaptive {
            Self.readLittleEndian(bytes, at: Self.stateHeaderLength + 4 * dimension, into: &secondMoment)
        }
        guard firstMoment.allSatisfy(\.isFinite) else {
            throw .invalidData("server optimiser state holds a non-finite first moment")
        }
        guard secondMoment.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw .invalidData("server optimiser state holds a second moment that is negative or not finite")
        }
        step = Int(storedStep)
    }

    private static func stateCode(of kind: ServerOptimizerKind) -> UInt32 {
        switch kind {
        case .fedavg: 1
        case .fedadam: 2
        case .fedyogi: 3
        }
    }

    private static func kind(stateCode code: UInt32) -> ServerOptimizerKind? {
        ServerOptimizerKind.allCases.first { stateCode(of: $0) == code }
    }

    private func append(_ value: some FixedWidthInteger, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    /// Appends Float32 values little-endian (a plain copy on little-endian hosts, which is all of them in practice).
    private static func appendLittleEndian(_ values: [Float], to bytes: inout [UInt8]) {
        #if _endian(little)
            values.withUnsafeBytes { bytes += $0 }
        #else
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        #endif
    }

    /// Reads `values.count` little-endian Float32 values starting at `offset` (the caller checked the length).
    private static func readLittleEndian(_ bytes: [UInt8], at offset: Int, into values: inout [Float]) {
        bytes.withUnsafeBytes { source in
            values.withUnsafeMutableBufferPointer { target in
                for i in target.indices {
                    let bits = source.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self)
                    target[i] = Float(bitPattern: UInt32(littleEndian: bits))
                }
            }
        }
    }

    private static func read(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(bytes[offset + index]) << (8 * index) }
        return value
    }
}
