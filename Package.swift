// swift-tools-version:6.1
import PackageDescription

/// One settings list for every target: Swift 6 mode with strict concurrency comes with the
/// language mode; these add explicit existentials, honest imports and member visibility.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "loopline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "loopline", targets: ["loopline"]),
        .executable(name: "loopline-bench", targets: ["LooplineBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "JSON", swiftSettings: swiftSettings),
        .target(
            name: "EventStore",
            dependencies: [
                "JSON",
                "Postgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Lifecycle",
            dependencies: ["JSON"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Access",
            dependencies: [
                "EventStore",
                "Postgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Commands",
            dependencies: [
                "EventStore",
                "JSON",
                "Lifecycle",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Projections",
            dependencies: [
                "EventStore",
                "Lifecycle",
                "Postgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Ingest",
            dependencies: [
                "Commands",
                "EventStore",
                "JSON",
                "Lifecycle",
                "Postgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "Dashboard", resources: [.copy("Assets")], swiftSettings: swiftSettings),
        .target(
            name: "Server",
            dependencies: [
                "Access",
                "Commands",
                "Dashboard",
                "Exports",
                "Ingest",
                "Projections",
                "EventStore",
                "JSON",
                "Lifecycle",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Exports",
            dependencies: ["EventStore", "Postgres", "Projections"],
            swiftSettings: swiftSettings
        ),
        .target(name: "Spawning", swiftSettings: swiftSettings),
        .target(
            name: "Seeding",
            dependencies: ["Commands", "EventStore", "JSON", "Lifecycle", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "loopline",
            dependencies: [
                "Access",
                "Commands",
                "Exports",
                "Seeding",
                "EventStore",
                "Ingest",
                "JSON",
                "Lifecycle",
                "Postgres",
                "Projections",
                "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "LooplineBench",
            dependencies: [
                "Access",
                "Commands",
                "Ingest",
                "EventStore",
                "Projections",
                "Seeding",
                "Server",
                "Spawning",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "Postgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LooplineTestSupport",
            dependencies: [
                "Access", "Commands", "EventStore", "Postgres", "Projections", "Server", "Spawning",
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Support",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JSONTests",
            dependencies: ["JSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IngestTests",
            dependencies: ["Ingest", "Access", "Commands", "EventStore", "Exports", "JSON", "Lifecycle", "Projections", "Seeding", "Server", "LooplineTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LifecycleTests",
            dependencies: ["Lifecycle"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccessTests",
            dependencies: ["Access", "Postgres", "LooplineTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommandsTests",
            dependencies: ["Commands", "EventStore", "Lifecycle", "Postgres", "LooplineTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExportsTests",
            dependencies: ["Exports", "Commands", "EventStore", "Postgres", "Projections", "LooplineTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SeedingTests",
            dependencies: ["Seeding", "Commands", "EventStore", "JSON", "Lifecycle", "Postgres", "LooplineTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres", "LooplineTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EventStoreTests",
            dependencies: ["EventStore", "Postgres", "LooplineTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProjectionsTests",
            dependencies: [
                "Projections", "Commands", "EventStore", "Exports", "Lifecycle", "Postgres", "Seeding", "LooplineTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "looplineTests",
            dependencies: ["loopline", "EventStore", "Postgres", "Projections", "LooplineTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Access", "Commands", "EventStore", "Lifecycle", "Postgres", "Projections", "LooplineTestSupport",
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
