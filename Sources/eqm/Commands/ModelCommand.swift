import ArgumentParser
import EQMClient
import EQMCore
import Foundation

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Model files: inspect and verify (pull from a coordinator arrives with issue #7).",
        subcommands: [ModelInspectCommand.self, ModelPullCommand.self]
    )
}

struct ModelInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Verify a model file's checksum and print its architecture and metadata."
    )

    @Argument(help: "Path of an .eqmmodel file.") var path: String
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        var path: String, format_version: UInt32, parameters: Int, input_shape: [Int], layers: Int
        var labels: [String], metadata: [String: String], checksum: String
    }

    func run() throws {
        let loaded: InferenceModel
        do {
            loaded = try InferenceModel(contentsOf: path)
        } catch let error as EQMCoreError {
            throw CommandFailure("\(path): \(error)")
        } catch {
            throw CommandFailure("cannot read \(path): \(error.localizedDescription)")
        }
        let result = Result(
            path: path, format_version: ModelFile.formatVersion, parameters: loaded.model.parameterCount,
            input_shape: loaded.header.spec.inputShape, layers: loaded.header.spec.layers.count,
            labels: loaded.header.labels, metadata: loaded.header.metadata, checksum: "ok")
        if json {
            try Terminal.printJSON(result)
        } else {
            print("\(path): EQM model format \(result.format_version), checksum ok")
            print("  input \(result.input_shape), \(result.layers) layers, \(result.parameters) parameters")
            for (key, value) in result.metadata.sorted(by: { $0.key < $1.key }) { print("  \(key): \(value)") }
        }
    }
}
