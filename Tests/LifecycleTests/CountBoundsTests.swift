import Foundation
import Lifecycle
import Testing

@Suite("Test counts are bounded")
struct CountBoundsTests {
    static func body(passed: Int) -> Data {
        Data(#"{"runId": "r-1", "suite": "unit", "sha": "9fceb02", "passed": \#(passed), "failed": 0, "skipped": 0, "service": "web"}"#.utf8)
    }

    @Test("a count the read models could not hold is invalid_field; the largest allowed decodes")
    func bounded() throws {
        // schemathesis sent 85627089968795: accepted, it stopped the testing projection (integer column).
        #expect { try Command.decode(name: "complete-test-run", json: Self.body(passed: 85_627_089_968_795)) } throws: {
            ($0 as? DomainError)?.code == "invalid_field" && ($0 as? DomainError)?.field == "passed"
        }
        _ = try Command.decode(name: "complete-test-run", json: Self.body(passed: 100_000_000))
    }
}
