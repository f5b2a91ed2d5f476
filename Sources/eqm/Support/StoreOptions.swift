import ArgumentParser
import EQMClient
import Foundation

/// The options every command that touches a node's encrypted local store shares.
struct StoreOptions: ParsableArguments {
    @Option(help: "The node's encrypted local store folder.") var store: String = "eqm-node"
    @Option(
        help:
            "Key file (64 hex characters, mode 600) instead of a passphrase. Otherwise EQM_STORE_PASSPHRASE, else a terminal prompt."
    )
    var keyFile: String?

    /// Opens the store, or creates it when `create` and there is none yet (saying so on stderr).
    func open(create: Bool) throws -> LocalStore {
        let result: Result<LocalStore, StoreError> = Result { () throws(StoreError) -> LocalStore in
            let source = try StoreKeySource.resolve(keyFile: keyFile)
            if create && !LocalStore.exists(at: store) {
                Terminal.note("creating an encrypted store in \(store)")
                return try LocalStore.create(at: store, key: source)
            }
            return try LocalStore.open(at: store, key: source)
        }
        switch result {
        case .success(let opened): return opened
        case .failure(let error): throw CommandFailure(error.message)
        }
    }
}
