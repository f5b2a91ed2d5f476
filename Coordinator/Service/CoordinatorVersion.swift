import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import Foundation
import HTTPTypes
import Logging

/// The coordinator's version, reported by `/healthz` and in model cards.
public enum CoordinatorVersion {
    /// The release version.
    public static let string = "0.6.0"
}
