import Foundation

extension BatchResults {
    /// results.html: one row per run, sortable by any column (click its header), the best value
    /// of each column among the runs that finished marked, each run's name linking its report.
    public var html: String {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        let ok = rows.filter { $0.status == "ok" }
        var best: [String: Double] = [:]
        for (name, value, smaller) in Self.columns {
            let values = ok.compactMap(value)
            if let b = smaller ? values.min() : values.max(), values.count > 1 { best[name] = b }
        }
        var body = ""
        for r in rows {
            body += "<tr class=\"\(r.status)\"><td><a href=\"\(escape(r.name))/report.html\">\(escape(r.name))</a></td><td>\(r.status)</td>"
            for (name, value, _) in Self.columns {
                let v = value(r)
                let mark = r.status == "ok" && v != nil && v == best[name] ? " class=\"best\"" : ""
                body += "<td\(mark) data-v=\"\(v.map { String($0) } ?? "")\">\(v.map { String(format: "%.4g", $0) } ?? "")</td>"
            }
            body += "<td>\(r.exitStatus.map(String.init) ?? "")</td><td class=\"error\">\(escape(r.error ?? ""))</td></tr>\n"
        }
        let header = (["name", "status"] + Self.columns.map(\.0) + ["exit status", "error"]).map { "<th>\($0)</th>" }.joined()
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Parallax batch results</title>
        <style>
        body { font-family: sans-serif; margin: 1.5em; color: #222; }
        table { border-collapse: collapse; font-size: 13px; }
        th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; font-variant-numeric: tabular-nums; }
        th { background: #f2f2f2; cursor: pointer; position: sticky; top: 0; }
        td:first-child, td:nth-child(2), td.error { text-align: left; }
        td.best { font-weight: bold; background: #e3f4e3; }
        tr.failed td { color: #b00; }
        </style></head><body>
        <h1>Parallax batch: \(rows.count) runs, \(ok.count) ok, \(rows.count - ok.count) failed</h1>
        <p>Click a column's header to sort by it (again to reverse). Bold: the best value of the column among the runs that finished
        (smallest error, highest FPS). Each name links its run's report.</p>
        <table id="results"><thead><tr>\(header)</tr></thead><tbody>
        \(body)</tbody></table>
        <script>
        document.querySelectorAll('#results th').forEach((th, column) => {
          let ascending = true;
          th.addEventListener('click', () => {
            const tbody = document.querySelector('#results tbody');
            const key = tr => { const td = tr.children[column]; const v = td.dataset.v;
              return v !== undefined && v !== '' ? parseFloat(v) : (v === '' ? Infinity : td.textContent); };
            const rows = Array.from(tbody.children).sort((a, b) => { const x = key(a), y = key(b);
              return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1); });
            rows.forEach(r => tbody.appendChild(r)); ascending = !ascending;
          });
        });
        </script>
        </body></html>

        """
    }
}
