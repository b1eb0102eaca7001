public import Foundation
import Synchronization

/// stdout, or a file created (or truncated) for the export; rows are gathered into 256 KiB
/// writes (COPY hands them over one at a time, and the export's speed is bounded by how
/// little the client adds to each).
public final class ExportDestination: Sendable {
    /// The file, nil for stdout.
    public let path: String?
    private let handle: FileHandle
    private let buffer = Mutex(WriteBuffer(capacity: 256 * 1024))

    /// `nil` or `-` is stdout.
    public init(path: String?) throws(ExportError) {
        guard let path, path != "-" else {
            self.path = nil
            handle = FileHandle.standardOutput
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw ExportError(code: "cannot_create_file", message: "cannot create \(path)", field: "out")
        }
        self.path = path
        self.handle = handle
    }

    @Sendable public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try buffer.withLock { buffer in
            if !buffer.fits(bytes.count) { try buffer.drain(to: handle) }
            if buffer.fits(bytes.count) { buffer.append(bytes) } else { try handle.write(contentsOf: bytes) }
        }
    }

    public func close() throws {
        try buffer.withLock { try $0.drain(to: handle) }
        if path != nil { try handle.close() }
    }
}
