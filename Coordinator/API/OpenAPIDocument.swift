import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import EQMStorage
import Foundation
import HTTPTypes
import Logging

/// The OpenAPI 3.1 document at `/openapi.json`, generated from ``APIEndpoint/all`` (so the paths,
/// methods, roles and body kinds cannot drift from the router) plus the component schemas.
public enum OpenAPIDocument {
    /// The document as a JSON object.
    public static func object() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for endpoint in APIEndpoint.all {
            var operation: [String: Any] = [
                "operationId": endpoint.operation,
                "summary": endpoint.summary,
            ]
            if let roles = endpoint.roles {
                operation["security"] = [["bearer": []]]
                operation["x-eqm-roles"] = roles.map(\.rawValue).sorted()
            } else {
                operation["security"] = [[String: [String]]]()
            }
            if !endpoint.parameters.isEmpty {
                operation["parameters"] = endpoint.parameters.map { name -> [String: Any] in
                    [
                        "name": name, "in": "path", "required": true,
                        "schema": ["type": name == "round" || name == "stage" ? "integer" : "string"],
                    ]
                }
            }
            if let content = content(endpoint.request) {
                operation["requestBody"] = ["required": true, "content": content]
                operation["x-eqm-maximum-body-bytes"] = endpoint.maximumBody
            }
            var responses: [String: Any] = [:]
            var success: [String: Any] = ["description": "success"]
            if let content = content(endpoint.response) { success["content"] = content }
            responses[String(endpoint.status)] = success
            let errors = errorStatuses(endpoint)
            for status in errors {
                responses[String(status)] = [
                    "description": errorDescription(status),
                    "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
                ]
            }
            operation["responses"] = responses
            paths[endpoint.path, default: [:]][endpoint.method.rawValue.lowercased()] = operation
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "EQM coordinator",
                "version": CoordinatorVersion.string,
                "description":
                    "Federated learning coordinator for wearable emotion and stress recognition: campaigns, SecAgg+ rounds, signed model registry, consent, erasure and the DP budget ledger.",
            ],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "eqm_<id>_<secret> API token"]
                ],
                "schemas": OpenAPISchemas.all,
            ],
        ]
    }

    /// The document as JSON bytes (sorted keys, stable).
    public static func json() -> [UInt8] {
        let data =
            (try? JSONSerialization.data(withJSONObject: object(), options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
        return [UInt8](data)
    }

    private static func content(_ body: APIEndpoint.Body) -> [String: Any]? {
        switch body {
        case .none: nil
        case .json(let schema): ["application/json": ["schema": ["$ref": "#/components/schemas/\(schema)"]]]
        case .binary:
            ["application/octet-stream": ["schema": ["type": "string", "contentMediaType": "application/octet-stream"]]]
        case .text: ["text/plain": ["schema": ["type": "string"]]]
        }
    }

    private static func errorStatuses(_ endpoint: APIEndpoint) -> [Int] {
        var statuses = [400, 500, 503]
        if endpoint.roles != nil { statuses += [401, 403] }
        if !endpoint.parameters.isEmpty { statuses.append(404) }
        if endpoint.request != .none { statuses.append(413) }
        if endpoint.method == .post { statuses.append(409) }
        return statuses.sorted()
    }

    private static func errorDescription(_ status: Int) -> String {
        switch status {
        case 400: "invalid request"
        case 401: "missing, unknown, revoked or expired token"
        case 403: "the token's role is not admitted"
        case 404: "not found"
        case 409: "conflicts with the current state"
        case 413: "body too large"
        case 503: "unavailable (database or shutting down)"
        default: "internal error"
        }
    }
}
