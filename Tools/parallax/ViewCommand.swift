import ArgumentParser
import Foundation
import Parallax

/// `parallax view`: (re)builds the HTML report of a run folder.
struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Build report.html of a run folder: 3D map and trajectories, plots over frames, summary.",
        discussion: "The page is self-contained (no network): open it in any browser, or attach it to an e-mail."
    )

    @Argument(help: "A folder written by `parallax run` or `parallax demo --out`.")
    var runDir: String

    func run() throws {
        let url: URL
        do { url = try RunReport.write(folder: URL(fileURLWithPath: runDir)) } catch { throw CLIError(error.description) }
        print("report: \(url.path)")
    }
}
