import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import Foundation
import HTTPTypes
import Logging

/// The component schemas of the OpenAPI document (JSON Schema 2020-12, as OpenAPI 3.1 uses).
enum OpenAPISchemas {
    private static func object(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }
    private static var string: [String: Any] { ["type": "string"] }
    private static var integer: [String: Any] { ["type": "integer"] }
    private static var number: [String: Any] { ["type": "number"] }
    private static var boolean: [String: Any] { ["type": "boolean"] }
    private static func nullable(_ type: String) -> [String: Any] { ["type": [type, "null"]] }
    private static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
    private static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    private static var role: [String: Any] { ["type": "string", "enum": ["admin", "operator", "auditor", "developer", "node"]] }
    private static var purpose: [String: Any] { ["type": "string", "enum": ["training", "evaluation", "research"]] }
    private static var chainLink: [String: Any] {
        object(
            ["sequence": integer, "previousHash": string, "payload": string, "hash": string],
            required: ["sequence", "previousHash", "payload", "hash"])
    }
    private static var checkpoint: [String: Any] {
        object(
            ["sequence": integer, "hash": string, "time": string, "signer": string, "signature": string],
            required: ["sequence", "hash", "time", "signer", "signature"])
    }

    static var all: [String: Any] {
        [
            "Error": object(
                ["error": object(["code": string, "message": string], required: ["code", "message"])], required: ["error"]),
            "Health": object(["status": string, "version": string, "database": string, "replica": string], required: ["status"]),
            "OpenAPI": ["type": "object", "description": "this document"],
            "CoordinatorInfo": object(
                ["version": string, "signing_key": string, "protocol_version": integer], required: ["signing_key"]),
            "TokenRequest": object(["role": role, "label": string, "lifetime_seconds": number], required: ["role", "label"]),
            "EnrollmentTokenRequest": object(["label": string, "lifetime_seconds": number], required: ["label"]),
            "TokenIssued": object(
                ["id": string, "token": string, "role": role, "kind": string, "expires": nullable("number")],
                required: ["id", "token", "role"]),
            "TokenList": object(
                [
                    "tokens": array(
                        object([
                            "id": string, "role": role, "kind": string, "label": string, "created": number,
                            "expires": nullable("number"),
                            "revoked": boolean,
                        ]))
                ], required: ["tokens"]),
            "EnrollRequest": object(
                ["enrollment_token": string, "identity_key": string, "proof": string],
                required: ["enrollment_token", "identity_key", "proof"]),
            "Enrollment": object(
                ["node_id": string, "token": string, "cohort": string, "coordinator_key": string], required: ["node_id", "token"]),
            "NodeInfo": object(
                ["node_id": string, "identity_key": string, "cohort": string, "enrolled": number], required: ["node_id"]),
            "ConsentTextRequest": object(["purpose": purpose, "text": string], required: ["purpose", "text"]),
            "ConsentText": object(
                ["purpose": purpose, "version": integer, "text": string, "published": string], required: ["purpose", "version"]),
            "ConsentTextList": object(["texts": array(ref("ConsentText"))], required: ["texts"]),
            "ConsentRequest": object(["purpose": purpose, "granted": boolean], required: ["purpose", "granted"]),
            "ConsentReceipt": object(
                ["record": string, "signer": string, "signature": string], required: ["record", "signer", "signature"]),
            "ConsentHistory": object(
                [
                    "current": ["type": "object", "additionalProperties": boolean],
                    "history": array(
                        object([
                            "subject": string, "purpose": purpose, "textVersion": integer, "granted": boolean, "time": string,
                        ])),
                ], required: ["current", "history"]),
            "SubjectExport": object(
                [
                    "format": string, "version": integer, "subject": string, "generatedAt": string, "data": ["type": "object"],
                    "consent": array(["type": "object"]), "privacy": ["type": "object"],
                ],
                required: ["subject", "data"]),
            "ErasureTombstone": object(
                ["subjectDigest": string, "erasedAt": string, "certificate": string, "signer": string, "signature": string],
                required: ["subjectDigest", "certificate", "signature"]),
            "CampaignConfiguration": object(
                [
                    "name": string, "model": ["type": "string", "enum": ["mlp", "cnn", "gru"]], "mlp_hidden": array(integer),
                    "evaluation_every": integer, "local_epochs": integer,
                    "local_batch_size": integer,
                    "local_learning_rate": number,
                    "server_optimizer": object([
                        "kind": ["type": "string", "enum": ["fedavg", "fedadam", "fedyogi"]], "learning_rate": number,
                        "momentum": number,
                        "beta1": number, "beta2": number, "tau": number,
                    ]),
                    "privacy_mode": ["type": "string", "enum": ["distributed", "local", "none"]], "clip_norm": number,
                    "noise_multiplier": number,
                    "delta": number, "per_user_epsilon_cap": number, "global_epsilon_cap": number, "sampling_rate": number,
                    "minimum_participants": integer, "expected_dropout_rate": number, "corruption_fraction": number,
                    "stage_deadline": number,
                    "round_interval": number, "maximum_rounds": integer, "allow_no_privacy": boolean,
                ], required: ["name"]),
            "Campaign": object(
                [
                    "id": string, "name": string,
                    "status": ["type": "string", "enum": ["active", "paused", "stopped", "finished"]],
                    "reason": nullable("string"), "created": number, "configuration": ref("CampaignConfiguration"),
                    "rounds_committed": integer,
                    "epsilon": number, "delta": number, "latest_version": nullable("string"),
                ], required: ["id", "status", "epsilon"]),
            "CampaignList": object(["campaigns": array(ref("Campaign"))], required: ["campaigns"]),
            "CampaignStatusRequest": object(
                ["status": ["type": "string", "enum": ["active", "paused", "stopped"]]], required: ["status"]),
            "RoundList": object(
                [
                    "rounds": array(
                        object([
                            "round": integer, "kind": string, "status": string, "stage": integer, "selected": integer,
                            "started": number,
                            "finished": nullable("number"), "reason": nullable("string"),
                        ]))
                ], required: ["rounds"]),
            "TaskList": object(
                [
                    "tasks": array(
                        object([
                            "kind": ["type": "string", "enum": ["training", "evaluation"]], "campaign": string, "round": integer,
                            "stage": integer, "participant": integer, "deadline": number,
                            "configuration": string, "base_version": string, "local_epochs": integer, "local_batch_size": integer,
                            "local_learning_rate": number,
                        ]))
                ], required: ["tasks"]),
            "EvaluationSubmission": object(
                [
                    "model_version": string, "examples": integer, "correct": integer, "loss_sum": number,
                    "true_positives": array(integer), "false_positives": array(integer), "false_negatives": array(integer),
                ],
                required: [
                    "model_version", "examples", "correct", "loss_sum", "true_positives", "false_positives", "false_negatives",
                ]),
            "EvaluationList": object(
                [
                    "evaluations": array(
                        object(
                            [
                                "round": integer, "model_version": string, "cohorts": array(string), "nodes": integer,
                                "released": boolean,
                                "examples": nullable("integer"), "accuracy": nullable("number"), "macro_f1": nullable("number"),
                                "loss": nullable("number"),
                            ], required: ["round", "model_version", "nodes", "released"]))
                ], required: ["evaluations"]),
            "Accepted": object(["accepted": boolean, "duplicate": boolean], required: ["accepted"]),
            "ModelSummary": object(
                [
                    "id": string, "version": integer, "parent": nullable("string"), "round": nullable("integer"),
                    "created": number,
                    "status": string, "cohort": nullable("string"),
                ], required: ["id", "version", "status"]),
            "ModelList": object(["models": array(ref("ModelSummary"))], required: ["models"]),
            "ModelRelease": object(
                [
                    "id": string, "card": ["type": "string", "description": "canonical JSON of the model card"],
                    "signature": string, "model": ["type": "string", "contentEncoding": "base64"],
                ],
                required: ["id", "card", "signature", "model"]),
            "PromoteRequest": object(["cohort": nullable("string")]),
            "ChainExport": object(
                ["chain": string, "links": array(chainLink), "checkpoints": array(checkpoint)],
                required: ["chain", "links", "checkpoints"]),
            "RetentionReport": object(
                ["time": string, "deleted": ["type": "object", "additionalProperties": integer]], required: ["time", "deleted"]),
            "ProcessingRecords": ["type": "object", "description": "records of processing activities (GDPR Art. 30)"],
            "Event": object(
                [
                    "type": string, "campaign": string, "round": nullable("integer"), "stage": nullable("integer"),
                    "model_version": nullable("string"),
                    "reason": nullable("string"), "time": number,
                ], required: ["type", "campaign", "time"]),
        ]
    }
}
