import Foundation
import TestSupport
import Testing

/// The run's report opened in headless Chromium (Tests/Fixtures/check_report.py): the 3D view and
/// the plots drew, nothing was logged to the console, the screenshot is not blank; and `parallax
/// view` rebuilds it, with a clear error for a folder that is not a run.
@Suite(.enabled(if: parallaxBinary != nil && pythonSucceeds(chromiumRuns),
                "needs the parallax executable, Pillow and Debian's chromium able to run headless (Tools/bootstrap --test)"))
struct ReportPageTests {
    @Test func theReportDrawsInABrowser() throws {
        guard let bin = parallaxBinary else { return }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let out = dir.url.appendingPathComponent("run").path
        let demo = try run(bin, ["demo", "--frames", "160", "--laps", "2", "--out", out, "--quiet"])
        #expect(demo.status == 0, "\(demo.err)")
        let first = try Data(contentsOf: URL(fileURLWithPath: out + "/report.html"))
        try FileManager.default.removeItem(atPath: out + "/report.html")
        let view = try run(bin, ["view", out])
        #expect(view.status == 0 && view.out.contains("report.html"), "\(view.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/report.html")) == first, "view rebuilt a different report")
        let page = String(decoding: first, as: UTF8.self)
        for loader in ["src=\"http", "href=\"http", "<link", "@import", "fetch("] {
            #expect(!page.contains(loader), "the report must not load anything from the network (found \(loader))")
        }
        let shot = dir.url.appendingPathComponent("report.png").path
        let script = SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/check_report.py").path
        let check = try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, out, shot])
        print(check.out)
        #expect(check.status == 0, "\(check.err)")
        let notRun = try run(bin, ["view", dir.url.path])
        #expect(notRun.status != 0 && notRun.err.contains("frames.csv"), "\(notRun.err)")
    }
}

/// Python that exits 0 when Pillow imports and headless Chromium opens a blank page here.
let chromiumRuns = """
import PIL, shutil, subprocess, sys
c = shutil.which("chromium")
sys.exit(0 if c and subprocess.run([c, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "about:blank"],
                                   capture_output=True, timeout=60).returncode == 0 else 1)
"""
