import ArgumentParser
import Foundation
import Lifecycle
import Server

/// What commands that run lifecycle commands or touch source secrets share with `serve`.
struct IngestOptions: ParsableArguments {
    @Option(help: "Deployment environments commands may name, comma-separated (default: $LOOPLINE_ENVIRONMENTS or development,test,staging,production).")
    var environments: String?

    @Option(help: "The key file that seals ingest sources' secrets (default: $LOOPLINE_SECRETS_KEY_FILE or .loopline/secrets.key; created with mode 600 by the first `source create`).")
    var secretsKeyFile: String?

    func policy(_ environment: [String: String]) -> Policy {
        var policy = Policy()
        if let list = environments ?? environment["LOOPLINE_ENVIRONMENTS"] {
            policy.environments = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        return policy
    }

    func keyFile(_ environment: [String: String]) -> String {
        secretsKeyFile ?? environment["LOOPLINE_SECRETS_KEY_FILE"] ?? ServerConfiguration.defaultSecretsKeyFile
    }
}
