import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import EQMStorage
public import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore

enum JSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// A JSON response.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A response whose body is already encoded JSON.
    static func bytes(_ json: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// A binary response.
    static func binary(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The error response for a coordinator error.
    static func error(_ error: CoordinatorError) -> Response {
        let body = APIErrorBody(error: .init(code: error.code.rawValue, message: error.message))
        let data = (try? encoder.encode(body)) ?? Data(#"{"error":{"code":"internal_error","message":"error"}}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if error.code == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(
            status: HTTPResponse.Status(code: error.code.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error into the JSON error body with the right status: coordinator errors as they
/// are, Hummingbird's HTTP errors (unknown route, body too large) by their status, decoding
/// errors as 400, anything else as a logged 500 with a generic message.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as CoordinatorError {
            if error.code == .internal {
                logger.error("internal error", metadata: ["path": "\(request.uri.path)", "error": "\(error.message)"])
            }
            return JSON.error(error)
        } catch let error as HTTPError {
            let code: CoordinatorError.Code =
                switch error.status.code {
                case 404: .notFound
                case 405: .notFound
                case 413: .payloadTooLarge
                case 401: .unauthorized
                case 403: .forbidden
                case 409: .conflict
                case 503: .unavailable
                case 400..<500: .invalidRequest
                default: .internal
                }
            let message =
                error.body ?? (code == .notFound ? "no such endpoint: \(request.method) \(request.uri.path)" : "\(error.status)")
            return JSON.error(CoordinatorError(code, message))
        } catch let error as APIValidationError {
            return JSON.error(CoordinatorError(.invalidRequest, error.message))
        } catch is NIOTooManyBytesError {
            return JSON.error(CoordinatorError(.payloadTooLarge, "the request body is larger than this endpoint accepts"))
        } catch is DecodingError {
            return JSON.error(CoordinatorError(.invalidRequest, "the request body is not valid JSON for this endpoint"))
        } catch let error as StorageError {
            logger.error("storage error", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return JSON.error(CoordinatorError(.unavailable, "the database is unavailable; try again"))
        } catch {
            logger.error(
                "unexpected error", metadata: ["path": "\(request.uri.path)", "error": "\(String(describing: type(of: error)))"])
            return JSON.error(CoordinatorError(.internal, "internal error"))
        }
    }
}
