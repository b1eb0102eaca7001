import ArgumentParser

/// The `loopline` executable: subcommands only; the work lives in the library modules.
@main
struct Loopline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loopline",
        abstract: "Loopline: an event-sourced system of record for the DevOps lifecycle.",
        discussion: """
            Commands print JSON on stdout; errors go to stderr as {"error": {...}} with a non-zero exit: \
            1 for refused input or a database error, 2 when the database is unreachable, 3 for a \
            wrong expected version.

            The database comes from --database-url, else LOOPLINE_DATABASE_URL, else libpq's PG* \
            variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, ...).
            """,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, AppendCommand.self, ReadCommand.self, FollowCommand.self,
            StatusCommand.self, WorkCommand.self, ProjectionsCommand.self, ReplayCommand.self, ExportCommand.self, AnalyticsCommand.self, TokenCommand.self, SendCommand.self,
            SeedCommand.self, SourceCommand.self, DeliveriesCommand.self, ImportCommand.self,
        ]
    )
}
