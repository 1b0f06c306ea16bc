import Evaluation
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Geometry
import TestSupport
import Testing
import Trajectories

/// Counts elements of well-formed XML; nil when the text does not parse.
final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) { counts[name, default: 0] += 1 }
    static func count(_ xml: String) -> [String: Int]? {
        let parser = XMLParser(data: Data(xml.utf8))
        let counter = ElementCounter()
        parser.delegate = counter
        return parser.parse() ? counter.counts : nil
    }
}

let chromium: URL? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    .map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }

@Suite struct ReportTests {
    func sampleResult() throws -> PoseErrorResult {
        var g = SplitMix(state: 31)
        let ref = randomTrajectory(&g, count: 1500, withTimes: true)
        var est = ref
        for i in est.poses.indices { est.poses[i].translation += randomVec3(&g, scale: 0.2) }
        return try APE.evaluate(reference: ref, estimate: est, alignment: .se3)
    }

    @Test func svgFiguresAreWellFormedAndDrawEveryPart() throws {
        let result = try sampleResult()
        let figures = ResultFigures(result, mode: .xz)
        let traj = try #require(ElementCounter.count(figures.trajectorySVG))
        // One dashed reference polyline plus the estimate in chunks of consecutive poses.
        #expect((traj["polyline"] ?? 0) > 100)
        #expect(traj["svg"] == 1)
        let errors = try #require(ElementCounter.count(figures.errorSVG))
        #expect(errors["polyline"] == 1)
        #expect(figures.errorSVG.contains("rmse \(String(format: "%.4g", result.statistics.rmse))"))
        #expect(figures.errorSVG.contains(">t (s)<"))
    }

    @Test func isometricViewIsWellFormed() throws {
        let figures = ResultFigures(try sampleResult(), mode: .xyz)
        let counts = try #require(ElementCounter.count(figures.trajectorySVG))
        #expect((counts["polyline"] ?? 0) > 100)
        #expect(figures.trajectorySVG.contains("isometric view, right (m)"))
    }

    @Test func widestPlaneIsChosenByDefault() {
        let flat = (0..<10).map { Vec3(Double($0), 0.01 * Double($0 % 2), -2 * Double($0)) }
        #expect(PlotMode.widest(flat) == .xz)
    }

    @Test func htmlReportIsSelfContained() throws {
        let result = try sampleResult()
        let report = EvaluationReport(result, reference: "gt <1>.txt", estimate: "est.txt")
        let html = ResultFigures(result).html(report)
        #expect(html.contains("gt &lt;1&gt;.txt"))
        // No scripts and no external resources (the SVG namespace URI is an identifier, not a fetch).
        #expect(!html.contains("<script"))
        #expect(!html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http"))
        #expect(!html.contains("src=") && !html.contains("href="))
        #expect(html.contains("<th>rmse</th><td>\(String(format: "%.6f", result.statistics.rmse))</td>"))
    }

    /// Loads the report in a real headless browser and reads back the rendered DOM.
    @Test(.enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium)"))
    func reportRendersInHeadlessChromium() throws {
        guard let browser = chromium else { return }
        let result = try sampleResult()
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let page = try write(ResultFigures(result).html(EvaluationReport(result, reference: "gt.txt", estimate: "est.txt")),
                             "report.html", in: dir)
        let r = try run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", URL(fileURLWithPath: page).absoluteString])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("<table id=\"stats\">"))
        #expect(r.out.components(separatedBy: "<svg").count == 3)
        #expect(r.out.contains(String(format: "%.6f", result.statistics.rmse)))
    }
}
