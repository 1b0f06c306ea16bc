import ArgumentParser
import Foundation
import Geometry
import Evaluation
import Trajectories

/// `parallax eval`: trajectory evaluation with evo's verbs, positional order and flag names.
///
/// The same verbs are the standalone `parallax-eval` tool, which links no OpenCV and so starts
/// in milliseconds (the `parallax` executable spends ~0.1 s loading OpenCV's dependencies).
public struct EvalCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate an estimated trajectory against a reference (evo-compatible APE/RPE, KITTI devkit metrics).",
        subcommands: [EvalAPE.self, EvalRPE.self, EvalKitti.self, EvalTartanAir.self, EvalTraj.self, EvalRes.self]
    )
}

/// Inputs shared by the APE and RPE verbs: `FORMAT REF EST` and association options.
struct EvalInputOptions: ParsableArguments {
    @Argument(help: "Trajectory format: kitti, tum, euroc (reference: EuRoC csv, estimate: TUM) or tartanair.")
    var format: String
    @Argument(help: "Reference trajectory file.")
    var ref: String
    @Argument(help: "Estimated trajectory file.")
    var est: String

    @Option(name: .customLong("ref_times"), help: "KITTI only: times file (seconds per line) of the reference.")
    var refTimes: String?
    @Option(name: .customLong("est_times"), help: "KITTI only: times file (seconds per line) of the estimate.")
    var estTimes: String?
    @Option(name: .customLong("t_max_diff"), parsing: .unconditional, help: "Maximum timestamp difference for data association (s).")
    var tMaxDiff: Double = 0.01
    @Option(name: .customLong("t_offset"), parsing: .unconditional, help: "Constant timestamp offset of the estimate for data association (s).")
    var tOffset: Double = 0

    var source: TrajectoryPair.Source {
        .init(format: format, referencePath: ref, estimatePath: est, referenceTimes: refTimes, estimateTimes: estTimes,
              maxTimeDifference: tMaxDiff, timeOffset: tOffset)
    }
}

/// Alignment, pose relation and output options shared by APE and RPE.
struct EvalMetricOptions: ParsableArguments {
    @Option(name: [.customShort("r"), .customLong("pose_relation")],
            help: "Pose relation: trans_part, angle_deg, angle_rad, rot_part or full.")
    var poseRelation: String = "trans_part"
    @Flag(name: [.customShort("a"), .customLong("align")], help: "Align the estimate with Umeyama's method (SE(3)).")
    var align = false
    @Flag(name: [.customShort("s"), .customLong("correct_scale")], help: "Correct the scale (Sim(3) with -a).")
    var correctScale = false
    @Flag(name: .customLong("align_origin"), help: "Align the first estimate pose to the first reference pose.")
    var alignOrigin = false
    @Option(name: .customLong("n_to_align"), parsing: .unconditional, help: "Number of poses used for alignment, from the start (-1: all).")
    var nToAlign: Int = -1
    @Flag(name: .customLong("json"), help: "Print the result as JSON.")
    var json = false
    @Option(name: .customLong("save_results"), help: "Also save the result as JSON to this file (for 'res').")
    var saveResults: String?
    @Flag(name: .customLong("csv"), help: "Print the statistics as CSV (header and one row).")
    var csv = false
    @Option(name: .customLong("save_errors"), help: "Save every error (with its pose index and time) as CSV.")
    var saveErrors: String?
    @Option(name: .customLong("save_plot"), help: "Save SVG plots: PATH_trajectory.svg and PATH_error.svg.")
    var savePlot: String?
    @Option(name: .customLong("report"), help: "Save a self-contained HTML report (statistics and plots).")
    var report: String?
    @Option(name: .customLong("plot_mode"), help: "Trajectory plot: plane xy, xz, yx, yz, zx, zy, or xyz (isometric); default: the widest plane.")
    var plotMode: String?

    func relation() throws(EvaluationError) -> PoseRelation {
        guard let r = PoseRelation(rawValue: poseRelation) else {
            throw .invalidOption("unknown pose relation '\(poseRelation)' (expected trans_part, angle_deg, angle_rad, rot_part or full)")
        }
        return r
    }

    func alignment() throws(EvaluationError) -> Alignment {
        try Alignment(align: align, correctScale: correctScale, alignOrigin: alignOrigin)
    }

    /// Prints the result and writes the requested files.
    func emit(_ result: PoseErrorResult, _ input: EvalInputOptions) throws(EvaluationError) {
        let report = EvaluationReport(result, reference: input.ref, estimate: input.est)
        var mode: PlotMode?
        if let name = plotMode {
            guard let m = PlotMode(rawValue: name) else { throw .invalidOption("unknown plot mode '\(name)' (expected xy, xz, yx, yz, zx, zy or xyz)") }
            mode = m
        }
        if let path = saveResults { try save(report.json + "\n", path) }
        if let path = saveErrors { try save(result.errorsCSV, path) }
        if savePlot != nil || self.report != nil {
            let figures = ResultFigures(result, mode: mode)
            if var base = savePlot {
                if base.hasSuffix(".svg") { base.removeLast(4) }
                try save(figures.trajectorySVG, base + "_trajectory.svg")
                try save(figures.errorSVG, base + "_error.svg")
            }
            if let path = self.report { try save(figures.html(report), path) }
        }
        if csv {
            print(ResultsTable(rows: [.init(name: input.est, report: report)]).csv, terminator: "")
        } else {
            print(json ? report.json : report.table, terminator: json ? "\n" : "")
        }
    }

    func save(_ text: String, _ path: String) throws(EvaluationError) {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw .trajectory(.writeFailed(path, fileErrorReason(error)))
        }
    }
}

/// Reads a pair of trajectories and prints what the user should know about them on stderr.
func loadPair(_ source: TrajectoryPair.Source) throws(EvaluationError) -> TrajectoryPair {
    let pair = try TrajectoryPair.load(source)
    for w in pair.warnings { FileHandle.standardError.write(Data("warning: \(printableText(w))\n".utf8)) }
    return pair
}

/// Prints an evaluation error to stderr (naming `files` when the message does not name one of
/// them already) and exits with status 1.
func failEvaluation(_ error: EvaluationError, files: [String] = []) -> ExitCode {
    var message = error.description
    // Option errors are about the command line, not the files.
    if case .invalidOption = error {} else if !files.isEmpty, !files.contains(where: { message.contains($0) }) {
        message = files.joined(separator: ", ") + ": " + message
    }
    FileHandle.standardError.write(Data("error: \(printableText(message))\n".utf8))
    return ExitCode(1)
}

public struct EvalAPE: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "ape", abstract: "Absolute pose error (as evo_ape).")

    @OptionGroup var input: EvalInputOptions
    @OptionGroup var metric: EvalMetricOptions

    public func run() throws {
        do throws(EvaluationError) {
            let pair = try loadPair(input.source)
            let result = try APE.evaluate(reference: pair.reference, estimate: pair.estimate, relation: try metric.relation(),
                                          alignment: try metric.alignment(), nToAlign: metric.nToAlign)
            try metric.emit(result, input)
        } catch {
            throw failEvaluation(error, files: [input.ref, input.est])
        }
    }
}

public struct EvalRPE: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "rpe", abstract: "Relative pose error (as evo_rpe).")

    @OptionGroup var input: EvalInputOptions
    @OptionGroup var metric: EvalMetricOptions
    @Option(name: .customLong("delta"), parsing: .unconditional, help: "Delta between relative poses.")
    var delta: Double = 1
    @Option(name: .customLong("delta_unit"), help: "Unit of delta: f (frames), m (metres), d (degrees) or r (radians).")
    var deltaUnit: String = "f"
    @Option(name: .customLong("delta_tol"), parsing: .unconditional, help: "Relative delta tolerance for all-pairs mode.")
    var deltaTol: Double = 0.1
    @Flag(name: .customLong("all_pairs"), help: "Use all pairs instead of consecutive pairs.")
    var allPairs = false
    @Flag(name: .customLong("pairs_from_reference"), help: "Select pairs on the reference instead of the estimate.")
    var pairsFromReference = false

    public func run() throws {
        do throws(EvaluationError) {
            guard let unit = DeltaUnit(rawValue: deltaUnit) else {
                throw .invalidOption("unknown delta unit '\(deltaUnit)' (expected f, m, d or r)")
            }
            let pair = try loadPair(input.source)
            let options = RPE.Options(delta: delta, deltaUnit: unit, relativeDeltaTolerance: deltaTol,
                                      allPairs: allPairs, pairsFromReference: pairsFromReference)
            let result = try RPE.evaluate(reference: pair.reference, estimate: pair.estimate, relation: try metric.relation(),
                                          options: options, alignment: try metric.alignment(), nToAlign: metric.nToAlign)
            try metric.emit(result, input)
        } catch {
            throw failEvaluation(error, files: [input.ref, input.est])
        }
    }
}

public struct EvalKitti: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "kitti",
        abstract: "KITTI odometry metrics (devkit's evaluate_odometry: segments of 100…800 m, t_err %, r_err deg/100 m).")

    @Argument(help: "Ground-truth poses (KITTI format).")
    var ref: String
    @Argument(help: "Estimated poses (KITTI format), one per ground-truth pose.")
    var est: String
    @Flag(name: .customLong("json"), help: "Print the result as JSON.")
    var json = false

    public func run() throws {
        do throws(EvaluationError) {
            let pair = try loadPair(.init(format: "kitti", referencePath: ref, estimatePath: est))
            let result = try KittiOdometry.evaluate(groundTruth: pair.reference, estimate: pair.estimate)
            print(json ? result.json : result.table, terminator: json ? "\n" : "")
        } catch {
            throw failEvaluation(error, files: [ref, est])
        }
    }
}

public struct EvalTartanAir: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "tartanair",
        abstract: "TartanAir metrics as its evaluation tool computes them (ATE, RPE, KITTI-style 5…40 m).")

    @Argument(help: "Ground-truth poses (TartanAir format: tx ty tz qx qy qz qw, NED).")
    var ref: String
    @Argument(help: "Estimated poses (TartanAir format), one per ground-truth pose.")
    var est: String
    @Flag(name: .customLong("scale"), help: "Monocular: estimate a global scale (the tool's scale=True).")
    var scale = false
    @Flag(name: .customLong("json"), help: "Print the result as JSON.")
    var json = false

    public func run() throws {
        do throws(EvaluationError) {
            let pair = try loadPair(.init(format: "tartanair", referencePath: ref, estimatePath: est))
            let r = try TartanAirMetrics.evaluate(groundTruth: pair.reference, estimate: pair.estimate, scale: scale)
            print(json ? r.json : r.table, terminator: json ? "\n" : "")
        } catch {
            throw failEvaluation(error, files: [ref, est])
        }
    }
}

public struct EvalRes: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "res", abstract: "Compare saved results (--save_results / --json files) in a table (as evo_res).")

    @Argument(help: "Result files.")
    var results: [String]
    @Option(name: .customLong("sort"), help: "Sort rows by a statistic (rmse, mean, median, std, min, max, sse).")
    var sort: String?
    @Flag(name: .customLong("use_filenames"), help: "Name rows after the result files instead of the estimates.")
    var useFilenames = false
    @Flag(name: .customLong("csv"), help: "Print CSV instead of a text table.")
    var csv = false

    public func run() throws {
        do throws(EvaluationError) {
            guard !results.isEmpty else { throw .invalidOption("no result files given") }
            var table = try ResultsTable.load(results, useFilenames: useFilenames)
            if let sort { table = try table.sorted(by: sort) }
            print(csv ? table.csv : table.text, terminator: "")
        } catch {
            throw failEvaluation(error, files: results)
        }
    }
}

public struct EvalTraj: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "traj", abstract: "Trajectory information and format conversion (as evo_traj).")

    @Argument(help: "Trajectory format: kitti, tum, euroc or tartanair.")
    var format: String
    @Argument(help: "Trajectory files.")
    var files: [String]
    @Flag(name: .customLong("save_as_kitti"), help: "Write each trajectory as NAME.kitti in the current folder.")
    var saveAsKitti = false
    @Flag(name: .customLong("save_as_tum"), help: "Write each trajectory as NAME.tum in the current folder.")
    var saveAsTUM = false
    @Flag(name: .customLong("json"), help: "Print the summaries as JSON.")
    var json = false

    public func run() throws {
        do throws(EvaluationError) {
            guard !files.isEmpty else { throw .invalidOption("no trajectory files given") }
            var summaries: [TrajectorySummary] = []
            for file in files {
                let (summary, trajectory) = try TrajectorySummary.load(file, format: format)
                summaries.append(summary)
                for (flag, out) in [(saveAsKitti, TrajectoryFormat.kitti), (saveAsTUM, .tum)] where flag {
                    do { try out.write(trajectory, to: URL(fileURLWithPath: "\(summary.name).\(out.rawValue)")) } catch {
                        throw .trajectory(error)
                    }
                }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                if let data = try? encoder.encode(summaries) { print(String(decoding: data, as: UTF8.self)) }
            } else {
                for s in summaries { print(String(repeating: "-", count: 80) + "\nname:\t\(s.name)\ninfos:\t\(s.infos)") }
            }
        } catch {
            throw failEvaluation(error, files: files)
        }
    }
}
