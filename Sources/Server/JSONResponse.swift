import Commands
import Foundation
import Hummingbird

/// JSON responses with stable key order, so clients and tests can rely on the shape.
enum JSONResponse {
    /// Dates with microseconds, like the events' `recordedAt`.
    static var encoder: JSONEncoder { CommandJSON.encoder }

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
