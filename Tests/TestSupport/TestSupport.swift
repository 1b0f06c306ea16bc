import Foundation
@_exported import Geometry

/// Where the shared real data lives: `$PARALLAX_DATASETS`, else `../shared/datasets` beside the
/// repository. Tests that need it are disabled with a clear message when it is absent.
public enum SharedData {
    /// The repository's root folder (found from this file's path).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared datasets folder.
    public static let root: URL = {
        if let env = ProcessInfo.processInfo.environment["PARALLAX_DATASETS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets")
    }()

    /// True when the shared datasets folder exists.
    public static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    /// The message shown when tests are skipped for lack of data.
    public static let skipMessage = "../shared/datasets is absent (set PARALLAX_DATASETS to its path to run this test)"

    /// A path inside the shared datasets folder.
    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}

/// A fresh temporary directory, removed by the caller with `cleanup()`.
public struct TemporaryDirectory {
    public let url: URL
    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("parallax-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Deterministic pseudo-random numbers for reproducible tests (Geometry's SplitMix64).
public typealias SplitMix = SplitMix64

/// An executable built beside the test bundle (`parallax`, `parallax-eval`), when present.
public func builtExecutable(_ name: String) -> URL? {
    let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for dir in [bundleDir, bundleDir.deletingLastPathComponent()] {
        let candidate = dir.appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
}
