import Foundation

/// A fixed block of memory that bytes are copied into until it is written out. It owns its
/// memory alone (it cannot be copied), so handing it to another thread is safe.
struct WriteBuffer: ~Copyable, @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer
    private var count = 0

    init(capacity: Int) {
        storage = .allocate(byteCount: capacity, alignment: 1)
    }

    deinit { storage.deallocate() }

    func fits(_ length: Int) -> Bool { count + length <= storage.count }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        UnsafeMutableRawBufferPointer(rebasing: storage[count...]).copyMemory(from: bytes)
        count += bytes.count
    }

    mutating func drain(to handle: FileHandle) throws {
        guard count > 0 else { return }
        try handle.write(contentsOf: UnsafeRawBufferPointer(rebasing: storage[..<count]))
        count = 0
    }
}
