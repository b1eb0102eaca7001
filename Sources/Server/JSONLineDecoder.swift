import NIOCore

/// One frame of the socket protocol: a line, or the news that a line was too long.
enum JSONLineFrame: Sendable {
    case line(ByteBuffer)
    /// A line exceeded the limit; its bytes were dropped up to its newline, so the
    /// connection stays usable.
    case oversize
}

/// Splits the inbound bytes at `\n` (a trailing `\r` is dropped), refusing lines longer than
/// `maximumBytes` without buffering them. Empty lines are passed on too: a client that sent one
/// waits for an answer like any other.
struct JSONLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = JSONLineFrame

    let maximumBytes: Int
    /// True while the bytes of an oversize line are being skipped.
    private var discarding = false

    init(maximumBytes: Int) {
        self.maximumBytes = maximumBytes
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maximumBytes {
                // Too long already: drop what is here and keep dropping until the newline.
                if !discarding { context.fireChannelRead(wrapInboundOut(.oversize)) }
                discarding = true
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            }
            return .needMoreData
        }
        let length = newline - view.startIndex
        if discarding {
            discarding = false
            buffer.moveReaderIndex(forwardBy: length + 1)
            return .continue
        }
        if length > maximumBytes {
            buffer.moveReaderIndex(forwardBy: length + 1)
            context.fireChannelRead(wrapInboundOut(.oversize))
            return .continue
        }
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
        context.fireChannelRead(wrapInboundOut(.line(line)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
