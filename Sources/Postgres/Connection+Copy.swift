internal import CLibPQ

extension Connection {
    /// Streams the output of a `COPY ... TO STDOUT` statement to `body`, one chunk at a time
    /// (a chunk is one row in text and CSV formats). Returns the number of rows copied.
    ///
    /// Memory stays constant whatever the size of the output: libpq hands over each row as it
    /// arrives. If `body` throws, the statement is cancelled and the error rethrown.
    @discardableResult
    public func copyOut(_ sql: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        let start = try check(PQexec(handle, sql))
        guard start.status == PGRES_COPY_OUT else {
            throw PostgresError.protocolViolation("copyOut needs a COPY ... TO STDOUT statement")
        }
        var failure: (any Error)?
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(handle, &buffer, 0)
            if length > 0, let buffer {
                defer { PQfreemem(buffer) }
                if failure == nil {
                    do {
                        try body(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
                    } catch {
                        failure = error
                        cancelHandle()?.cancel()
                    }
                }
            } else if length == -1 {
                break
            } else {
                throw connectionError()
            }
        }
        let end = finishCopy()
        if let failure { throw failure }
        return try end.get()
    }

    /// Runs a `COPY ... FROM STDIN` statement, feeding it whatever `body` writes.
    /// If `body` throws, the COPY is aborted (nothing is written) and the error rethrown.
    @discardableResult
    public func copyIn(_ sql: String, _ body: (CopyInWriter) throws -> Void) throws -> Int64 {
        let start = try check(PQexec(handle, sql))
        guard start.status == PGRES_COPY_IN else {
            throw PostgresError.protocolViolation("copyIn needs a COPY ... FROM STDIN statement")
        }
        do {
            try body(CopyInWriter(connection: self))
        } catch {
            _ = PQputCopyEnd(handle, "aborted by the client: \(error)")
            _ = finishCopy()
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw connectionError() }
        return try finishCopy().get()
    }

    /// Collects the results that end a COPY and returns the row count from the command tag.
    private func finishCopy() -> Result<Int64, PostgresError> {
        var outcome: Result<Int64, PostgresError> = .success(0)
        while let result = PQgetResult(handle) {
            do {
                let checked = try check(result)
                if case .success = outcome { outcome = .success(checked.affectedRows) }
            } catch let error as PostgresError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(.protocolViolation("\(error)"))
            }
        }
        return outcome
    }
}

/// Writes rows into a running `COPY ... FROM STDIN`.
public struct CopyInWriter {
    fileprivate let connection: Connection

    fileprivate init(connection: Connection) { self.connection = connection }

    /// Sends bytes: any slicing is fine, PostgreSQL reassembles the rows.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        let sent = PQputCopyData(
            connection.handle, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        guard sent == 1 else { throw connection.connectionError() }
    }

    /// Sends a string's UTF-8 bytes.
    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }
}
