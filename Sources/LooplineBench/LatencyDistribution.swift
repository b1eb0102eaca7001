import Foundation

/// A latency distribution kept as its quantiles on a fixed grid (every 0.1 %, then every
/// 0.01 % above 99.9 %, then the maximum), so that wrk's and pgbench's measurements can be
/// reported alike and the rounds of a scenario pooled.
struct LatencyDistribution: Sendable {
    /// The grid, in percent, increasing; the last point is the maximum.
    static let grid: [Double] = {
        let body: [Double] = (1...999).map { Double($0) / 10 }
        let tail: [Double] = (1...9).map { 99.9 + Double($0) / 100 }
        return body + tail + [100]
    }()

    /// Milliseconds at each grid point.
    var milliseconds: [Double]
    /// Requests or transactions measured.
    var count: Int

    /// The latency at `percent` (the first grid point at or above it).
    func percentile(_ percent: Double) -> Double {
        let index = Self.grid.firstIndex { $0 >= percent - 1e-9 } ?? Self.grid.count - 1
        return milliseconds.indices.contains(index) ? milliseconds[index] : 0
    }

    /// From exact samples in milliseconds (pgbench's per-transaction log).
    init(samples: [Double]) {
        let sorted = samples.sorted()
        count = sorted.count
        milliseconds = Self.grid.map { percent in
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1)]
        }
    }

    init(milliseconds: [Double], count: Int) {
        self.milliseconds = milliseconds
        self.count = count
    }

    /// The distribution of all requests of several measurements: each grid point stands for the
    /// requests between it and the previous point, weighted by its measurement's count.
    static func pooled(_ parts: [LatencyDistribution]) -> LatencyDistribution {
        var masses: [(milliseconds: Double, requests: Double)] = []
        for part in parts {
            var previous = 0.0
            for (percent, value) in zip(grid, part.milliseconds) {
                masses.append((value, (percent - previous) / 100 * Double(part.count)))
                previous = percent
            }
        }
        masses.sort { $0.milliseconds < $1.milliseconds }
        let total = masses.reduce(0) { $0 + $1.requests }
        var index = 0
        var below = 0.0
        let values = grid.map { percent -> Double in
            guard !masses.isEmpty else { return 0 }
            while index < masses.count - 1 && below + masses[index].requests < percent / 100 * total - 1e-9 {
                below += masses[index].requests
                index += 1
            }
            return masses[index].milliseconds
        }
        return LatencyDistribution(milliseconds: values, count: parts.reduce(0) { $0 + $1.count })
    }

    /// wrk's `done` hook printing the grid in microseconds: "QUANTILES <requests> <values…>".
    static let wrkReporter = """

        done = function(summary, latency, requests)
          local values = {}
          for i = 1, 999 do values[#values + 1] = latency:percentile(i / 10) end
          for i = 1, 9 do values[#values + 1] = latency:percentile(99.9 + i / 100) end
          values[#values + 1] = latency.max
          io.write("QUANTILES " .. summary.requests .. " " .. table.concat(values, " ") .. "\\n")
        end
        """

    /// Reads the line `wrkReporter` printed.
    init?(wrkOutput output: String) {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("QUANTILES ") }) else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count == Self.grid.count + 1 else { return nil }
        self.init(milliseconds: fields.dropFirst().map { $0 / 1000 }, count: Int(fields[0]))
    }

    /// "p50 / p90 / p99 / p99.9" in milliseconds.
    var summary: String {
        [50, 90, 99, 99.9].map { String(format: "%.2f", percentile($0)) }.joined(separator: " / ")
    }
}
