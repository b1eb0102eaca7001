import Foundation

/// The DORA test history, shared by the DORA, replay and export tests: 31 production
/// deployments of three services over two weeks (5–18 October 2026), every figure worked out
/// by hand (the expected values are in DORATests).
///
/// - alpha (team red): a deployment a day, 5–16 Oct at 12:00, each shipping the commit
///   integrated at 06:00 that day (6 h). alpha-4 (8 Oct) fails at 14:00; alpha-5 (9 Oct 12:00)
///   ships its commit too (30 h) and is the fix (recovery 22 h). A commit integrated on 6 Oct at
///   09:00 is reported last, after everything: alpha-3 (7 Oct 12:00) is the first to contain it (27 h).
/// - beta (team blue): a deployment a day, 5–14 Oct at 10:00, commits at 08:00 (2 h). beta-3 is
///   rolled back at 11:30 (1.5 h); an incident with no link opens 10 Oct 15:00 and is resolved at
///   19:00 (4 h): the latest beta deployment within 24 h before it is beta-6; an incident that names
///   beta-9 opens 13 Oct 11:00, resolved at 13:00 (2 h). Fixes: beta-4, beta-7, beta-10.
/// - gamma (team red): a deployment a day, 5–13 Oct at 18:00, each shipping a commit integrated
///   two days before (48 h). An incident names gamma-5's commit as root cause (12 Oct 08:00–10:30,
///   2.5 h); gamma-6 is the fix. An incident on 18 Oct has no deployment within 24 h: unattributed.
/// - Staging deployments of alpha (one failed) must not count.
public enum DORAHistory {
    public static func at(_ day: Int, _ time: String) -> String { String(format: "2026-10-%02d", day) + "T\(time):00Z" }

    /// Sends the whole history through the harness's command handler.
    public static func send(_ h: ProjectionHarness) async throws {
        func commit(_ sha: String, _ service: String, _ team: String, _ at: String) async throws {
            try await h.send("integrate-commit", #"{"sha": "\#(sha)", "service": "\#(service)", "team": "\#(team)", "occurredAt": "\#(at)"}"#)
        }
        func deploy(_ command: String, _ id: String, _ sha: String, _ service: String, _ team: String, _ at: String, environment: String = "production") async throws {
            try await h.send(command, #"{"deploymentId": "\#(id)", "environment": "\#(environment)", "sha": "\#(sha)", "service": "\#(service)", "team": "\#(team)", "occurredAt": "\#(at)"}"#)
        }
        for n in 1...12 {
            let sha = String(format: "a%07x", n)
            try await commit(sha, "alpha", "red", at(4 + n, "06:00"))
            if n == 4 {
                try await deploy("fail-deployment", "alpha-4", sha, "alpha", "red", at(8, "14:00"))
            } else {
                try await deploy("succeed-deployment", "alpha-\(n)", sha, "alpha", "red", at(4 + n, "12:00"))
            }
        }
        try await deploy("succeed-deployment", "alpha-s1", "a0000001", "alpha", "red", at(5, "09:00"), environment: "staging")
        try await deploy("fail-deployment", "alpha-s2", "a0000002", "alpha", "red", at(6, "09:00"), environment: "staging")
        for n in 1...10 {
            let sha = String(format: "b%07x", n)
            try await commit(sha, "beta", "blue", at(4 + n, "08:00"))
            try await deploy("succeed-deployment", "beta-\(n)", sha, "beta", "blue", at(4 + n, "10:00"))
            if n == 3 {
                try await h.send("roll-back-deployment", #"{"deploymentId": "beta-3", "service": "beta", "team": "blue", "occurredAt": "\#(at(7, "11:30"))"}"#)
            }
        }
        try await h.send("open-incident", #"{"incidentId": "INC-B1", "title": "Errors", "severity": 2, "service": "beta", "occurredAt": "\#(at(10, "15:00"))"}"#)
        try await h.send("resolve-incident", #"{"incidentId": "INC-B1", "service": "beta", "occurredAt": "\#(at(10, "19:00"))"}"#)
        try await h.send("open-incident", #"{"incidentId": "INC-B2", "title": "Slow", "severity": 3, "deploymentId": "beta-9", "service": "beta", "occurredAt": "\#(at(13, "11:00"))"}"#)
        try await h.send("resolve-incident", #"{"incidentId": "INC-B2", "service": "beta", "occurredAt": "\#(at(13, "13:00"))"}"#)
        for n in 1...9 {
            let sha = String(format: "c%07x", n)
            try await commit(sha, "gamma", "red", at(2 + n, "18:00"))
            try await deploy("succeed-deployment", "gamma-\(n)", sha, "gamma", "red", at(4 + n, "18:00"))
        }
        try await h.send("open-incident", #"{"incidentId": "INC-G1", "title": "Crash", "severity": 1, "rootCauseSha": "c0000005", "service": "gamma", "occurredAt": "\#(at(12, "08:00"))"}"#)
        try await h.send("resolve-incident", #"{"incidentId": "INC-G1", "service": "gamma", "occurredAt": "\#(at(12, "10:30"))"}"#)
        try await h.send("open-incident", #"{"incidentId": "INC-G2", "title": "Blip", "severity": 4, "service": "gamma", "occurredAt": "\#(at(18, "10:00"))"}"#)
        // Reported late: integrated on 6 October, recorded after everything else.
        try await commit("a00000ff", "alpha", "red", at(6, "09:00"))
    }
}
