@testable import EventStore
import Testing

/// The gap-free rule without a database: each case is a statement's observation, with the
/// expected verdict worked out by hand from the rule in docs/architecture.md.
@Suite("LogHorizon: the gap-free reading rule")
struct LogHorizonTests {
    func snapshot(_ running: Set<UInt64>, xmin: UInt64 = 100, xmax: UInt64 = 200) -> TransactionSnapshot {
        TransactionSnapshot(xmin: xmin, xmax: xmax, inProgress: running)
    }

    @Test("contiguous positions are safe at once")
    func contiguous() {
        var horizon = LogHorizon()
        let next = horizon.observe(.init(from: 0, snapshot: snapshot([150]), highestVisible: 10, firstMissing: nil, windowFull: false))
        #expect(next == .caughtUp)
        #expect(horizon.safePosition == 10)
    }

    @Test("a hole with transactions running stops the horizon just below it")
    func holeWhileRunning() {
        var horizon = LogHorizon(safePosition: 4)
        let next = horizon.observe(.init(from: 4, snapshot: snapshot([150, 160]), highestVisible: 9, firstMissing: 7, windowFull: false))
        #expect(next == .blocked([150, 160]))
        #expect(horizon.safePosition == 6)
        #expect(horizon.fence == LogHorizon.Fence(upTo: 9, waitingOn: [150, 160]))
    }

    @Test("the hole is passed only once every transaction it waits on has finished")
    func holeResolves() {
        var horizon = LogHorizon(safePosition: 4)
        _ = horizon.observe(.init(from: 4, snapshot: snapshot([150, 160]), highestVisible: 9, firstMissing: 7, windowFull: false))
        // 150 finished, 160 still runs, a newer 170 does not matter: still blocked.
        let stillBlocked = horizon.observe(.init(from: 6, snapshot: snapshot([160, 170], xmin: 160, xmax: 210), highestVisible: 9, firstMissing: 7, windowFull: false))
        #expect(stillBlocked == .blocked([160]))
        #expect(horizon.safePosition == 6)
        // 160 finished (below the new xmin): everything up to 9 is final, look again above it.
        let released = horizon.observe(.init(from: 6, snapshot: snapshot([170], xmin: 170, xmax: 220), highestVisible: 9, firstMissing: 7, windowFull: false))
        #expect(released == .readAgain)
        #expect(horizon.safePosition == 9)
        #expect(horizon.fence == nil)
    }

    @Test("a hole seen while nothing runs is final: a rolled-back append")
    func finalHole() {
        var horizon = LogHorizon()
        let next = horizon.observe(.init(from: 0, snapshot: snapshot([]), highestVisible: 12, firstMissing: 3, windowFull: false))
        #expect(next == .caughtUp)
        #expect(horizon.safePosition == 12)
    }

    @Test("a hole's owner above the snapshot's xmax is not listed in it, yet is waited for")
    func ownerAboveXmax() {
        // T(xid 210) took position 7 before T(xid 205) took 9 and committed: xmax = 206, so
        // 210 is running but not in the snapshot's list. Only the backend list names it.
        var horizon = LogHorizon(safePosition: 6)
        let next = horizon.observe(
            .init(
                from: 6, snapshot: snapshot([], xmin: 206, xmax: 206), highestVisible: 9, firstMissing: 7, windowFull: false,
                runningAboveXmax: [210, 150]))
        #expect(next == .blocked([210]), "150 is below xmax and not listed: it had finished")
        #expect(horizon.safePosition == 6)
        let stillRunning = horizon.observe(
            .init(
                from: 6, snapshot: snapshot([], xmin: 208, xmax: 209), highestVisible: 9, firstMissing: 7, windowFull: false,
                runningAboveXmax: [210]))
        #expect(stillRunning == .blocked([210]), "at or above the new xmax, 210 still counts as running")
        let released = horizon.observe(
            .init(from: 6, snapshot: snapshot([], xmin: 211, xmax: 211), highestVisible: 9, firstMissing: 7, windowFull: false))
        #expect(released == .readAgain)
        #expect(horizon.safePosition == 9)
    }

    @Test("32-bit xids from pg_stat_activity widen into the snapshot's epoch")
    func widening() {
        let snapshot = TransactionSnapshot(xmin: 0x2_0000_0010, xmax: 0x2_0000_0020, inProgress: [])
        #expect(snapshot.widen(0x25) == 0x2_0000_0025)
        let nearWrap = TransactionSnapshot(xmin: 0x1_FFFF_FFF0, xmax: 0x1_FFFF_FFFE, inProgress: [])
        #expect(nearWrap.widen(0x3) == 0x2_0000_0003)
        #expect(nearWrap.widen(0xFFFF_FFF1) == 0x1_FFFF_FFF1)
    }

    @Test("a hole right after the safe position blocks at the safe position")
    func holeAtStart() {
        var horizon = LogHorizon(safePosition: 20)
        let next = horizon.observe(.init(from: 20, snapshot: snapshot([199]), highestVisible: 25, firstMissing: 21, windowFull: false))
        #expect(next == .blocked([199]))
        #expect(horizon.safePosition == 20)
    }

    @Test("a full window asks for another read")
    func fullWindow() {
        var horizon = LogHorizon()
        let next = horizon.observe(.init(from: 0, snapshot: snapshot([]), highestVisible: 10_000, firstMissing: nil, windowFull: true))
        #expect(next == .readAgain)
    }

    @Test("an observation made from an outdated position only resolves fences")
    func staleObservation() {
        var horizon = LogHorizon(safePosition: 50)
        let next = horizon.observe(.init(from: 10, snapshot: snapshot([]), highestVisible: 80, firstMissing: nil, windowFull: false))
        #expect(next == .readAgain)
        #expect(horizon.safePosition == 50)
    }

    @Test("narrowing to the transactions that can still write releases the fence")
    func narrowing() {
        var horizon = LogHorizon(safePosition: 4)
        _ = horizon.observe(.init(from: 4, snapshot: snapshot([150, 160]), highestVisible: 9, firstMissing: 7, windowFull: false))
        horizon.restrictFence { $0 == 160 }
        #expect(horizon.fence?.waitingOn == [160])
        horizon.restrictFence { _ in false }
        #expect(horizon.fence == nil)
        #expect(horizon.safePosition == 9)
    }

    @Test("a newer contiguous stretch moves the horizon past an obsolete fence")
    func contiguousPastFence() {
        var horizon = LogHorizon(safePosition: 4)
        _ = horizon.observe(.init(from: 4, snapshot: snapshot([150]), highestVisible: 9, firstMissing: 7, windowFull: false))
        // The hole at 7 got filled (150 committed) while 150 is somehow listed again: the
        // statement itself sees 5...12 without a gap, which is enough on its own.
        let next = horizon.observe(.init(from: 6, snapshot: snapshot([150]), highestVisible: 12, firstMissing: nil, windowFull: false))
        #expect(next == .caughtUp)
        #expect(horizon.safePosition == 12)
        #expect(horizon.fence == nil)
    }

    @Test("snapshots parse from PostgreSQL's text form", arguments: [
        ("100:105:", TransactionSnapshot(xmin: 100, xmax: 105, inProgress: [])),
        ("100:105:100,103", TransactionSnapshot(xmin: 100, xmax: 105, inProgress: [100, 103])),
    ])
    func parsesSnapshot(text: String, expected: TransactionSnapshot) {
        #expect(TransactionSnapshot(parsing: text) == expected)
    }

    @Test("malformed snapshots are refused", arguments: ["", "1:2", "a:b:", "1:2:x"])
    func refusesSnapshot(text: String) {
        #expect(TransactionSnapshot(parsing: text) == nil)
    }
}
