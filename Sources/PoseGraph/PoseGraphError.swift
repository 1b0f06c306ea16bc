/// Everything that can go wrong while reading, building, initialising or optimising a pose graph.
public enum PoseGraphError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read or written.
    case io(path: String, reason: String)
    /// A malformed line of a g2o file (1-based line number).
    case malformedLine(file: String, line: Int, reason: String)
    /// Edges whose information matrix is not positive definite: `edges` of `of`, the first on `line`.
    case indefiniteInformation(file: String, line: Int, edges: Int, of: Int)
    /// The file mixes 2D and 3D elements, or has none at all.
    case unsupportedContent(file: String, reason: String)
    /// An edge or a FIX line names a vertex that is not in the graph.
    case unknownVertex(id: Int, context: String)
    /// The graph falls apart into `components` pieces; `example` is a vertex outside the first one.
    case disconnected(components: Int, example: Int)
    /// The normal equations are not positive definite (CHOLMOD reported failure at column `column`).
    case notPositiveDefinite(column: Int, of: Int)
    /// Any other CHOLMOD failure, with its status code.
    case cholmod(status: Int32, stage: String)
    /// A non-finite value appeared during optimisation.
    case nonFinite(stage: String)
    /// Invalid arguments to the API.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .io(path, reason): "\(path): \(reason)"
        case let .malformedLine(file, line, reason): "\(file):\(line): \(reason)"
        case let .unsupportedContent(file, reason): "\(file): \(reason)"
        case let .indefiniteInformation(file, line, edges, total):
            "\(file):\(line): information matrix is not positive definite (\(edges) of \(total) edges have one, the first on this line): an indefinite one makes least squares unbounded, a singular one leaves directions unconstrained"
        case let .unknownVertex(id, context): "unknown vertex \(id) (\(context))"
        case let .disconnected(components, example):
            "the pose graph is disconnected: \(components) components (vertex \(example) is not connected to the first pose)"
        case let .notPositiveDefinite(column, n):
            "the normal equations are not positive definite (CHOLMOD failed at column \(column) of \(n)); the graph may be under-constrained or an information matrix indefinite"
        case let .cholmod(status, stage): "CHOLMOD failed during \(stage) (status \(status))"
        case let .nonFinite(stage): "non-finite values during \(stage)"
        case let .invalidArgument(message): message
        }
    }
}
