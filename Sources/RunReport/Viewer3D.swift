/// The report's 3D view: a canvas and a small self-contained script (no libraries, no network)
/// that draws the map points coloured by uncertainty, the trajectories, the keyframes and the
/// loops from the page's embedded data, with orbit (drag), pan (shift-drag or right button),
/// zoom (wheel) and top / side / reset views.
enum Viewer3D {
    static let html = """
    <div id="view3d">
    <canvas id="scene" width="1000" height="620"></canvas>
    <div id="controls"><button data-view="top">top</button> <button data-view="side">side</button>
    <button data-view="front">front</button> <button data-view="reset">reset</button>
    <span class="hint">drag: orbit · shift-drag or right button: pan · wheel: zoom</span></div>
    <div id="legend"><canvas id="colorbar" width="220" height="14"></canvas>
    <div><span id="tmin"></span> <span style="float:right" id="tmax"></span></div>
    <div>points coloured by log₁₀ of the covariance trace (m²)</div>
    <ul id="keys"></ul></div>
    </div>
    """

    static let script = #"""
    (function () {
      const D = JSON.parse(document.getElementById('data').textContent);
      const canvas = document.getElementById('scene'), g = canvas.getContext('2d');
      const viridis = [[68,1,84],[59,82,139],[33,145,140],[94,201,98],[253,231,37]];
      function color(t) {
        t = Math.min(Math.max(isFinite(t) ? t : 0, 0), 1) * 4;
        const i = Math.min(Math.floor(t), 3), f = t - i, a = viridis[i], b = viridis[i + 1];
        return 'rgb(' + [0, 1, 2].map(k => Math.round(a[k] + (b[k] - a[k]) * f)).join(',') + ')';
      }
      // Colour scale: log10(trace) between its 5th and 95th percentiles.
      const logs = D.trace.map(x => Math.log10(Math.max(x, 1e-12)));
      const sorted = logs.slice().sort((a, b) => a - b);
      const lo = sorted.length ? sorted[Math.floor(0.05 * (sorted.length - 1))] : 0;
      const hi = sorted.length ? sorted[Math.floor(0.95 * (sorted.length - 1))] : 1;
      const colors = logs.map(l => color((l - lo) / Math.max(hi - lo, 1e-9)));
      // Everything drawn, for the initial framing.
      const all = [];
      for (let i = 0; i < D.points.length; i += 3) all.push([D.points[i], D.points[i + 1], D.points[i + 2]]);
      for (const key of ['odometry', 'corrected', 'groundTruth']) if (D[key]) all.push(...D[key]);
      const mid = [0, 1, 2].map(k => { const v = all.map(p => p[k]).sort((a, b) => a - b); return v.length ? v[v.length >> 1] : 0; });
      const span = Math.max(1, ...[0, 1, 2].map(k => { const v = all.map(p => p[k]).sort((a, b) => a - b);
        return v.length ? v[Math.floor(0.95 * (v.length - 1))] - v[Math.floor(0.05 * (v.length - 1))] : 1; }));
      // Camera: yaw about the world's vertical (−y: the first camera's up), pitch, distance, target.
      let view;
      function reset(kind) {
        view = { yaw: 0.6, pitch: 0.5, dist: 1.6 * span, target: mid.slice() };
        if (kind === 'top') { view.yaw = 0; view.pitch = Math.PI / 2 - 1e-3; }
        if (kind === 'side') { view.yaw = Math.PI / 2; view.pitch = 0; }
        if (kind === 'front') { view.yaw = 0; view.pitch = 0; }
      }
      function project(p) {
        const x = p[0] - view.target[0], y = p[1] - view.target[1], z = p[2] - view.target[2];
        const cy = Math.cos(view.yaw), sy = Math.sin(view.yaw), cp = Math.cos(view.pitch), sp = Math.sin(view.pitch);
        const x1 = cy * x - sy * z, z1 = sy * x + cy * z;          // yaw about y
        const y2 = cp * y - sp * z1, z2 = sp * y + cp * z1;        // pitch about x
        const depth = z2 + view.dist;
        if (depth < 1e-3 * view.dist) return null;
        const f = 0.9 * canvas.height / (view.dist * 0.8);
        const s = f * view.dist / depth;
        return [canvas.width / 2 + s * x1, canvas.height / 2 + s * y2];
      }
      function polyline(ps, style, width, dash) {
        if (!ps || ps.length < 2) return;
        g.strokeStyle = style; g.lineWidth = width; g.setLineDash(dash || []); g.beginPath();
        let open = false;
        for (const p of ps) { const q = project(p); if (!q) { open = false; continue; }
          if (open) g.lineTo(q[0], q[1]); else { g.moveTo(q[0], q[1]); open = true; } }
        g.stroke(); g.setLineDash([]);
      }
      const loopStyle = { accepted: ['#2ca02c', []], rejected: ['#d62728', [6, 4]], unconfirmed: ['#999999', [2, 4]] };
      function draw() {
        g.fillStyle = '#ffffff'; g.fillRect(0, 0, canvas.width, canvas.height);
        let drawn = 0;
        for (let i = 0, j = 0; i < D.points.length; i += 3, j++) {
          const q = project([D.points[i], D.points[i + 1], D.points[i + 2]]);
          if (!q || q[0] < 0 || q[1] < 0 || q[0] > canvas.width || q[1] > canvas.height) continue;
          g.fillStyle = colors[j]; g.fillRect(q[0] - 1, q[1] - 1, 2, 2); drawn++;
        }
        polyline(D.groundTruth, '#000000', 1.5, [5, 4]);
        polyline(D.odometry, '#1f77b4', 1.8);
        polyline(D.corrected, '#ff7f0e', 2.2);
        g.fillStyle = '#ff7f0e';
        for (const k of D.keyframes) { const q = project(k); if (q) g.fillRect(q[0] - 2, q[1] - 2, 4, 4); }
        for (const l of D.loops) { const s = loopStyle[l[2]] || loopStyle.unconfirmed; polyline([l[0], l[1]], s[0], 1.5, s[1]); }
        document.body.dataset.drawn = String(drawn);
      }
      let drag = null;
      canvas.addEventListener('contextmenu', e => e.preventDefault());
      canvas.addEventListener('mousedown', e => { drag = { x: e.clientX, y: e.clientY, pan: e.shiftKey || e.button === 2 }; });
      window.addEventListener('mouseup', () => { drag = null; });
      window.addEventListener('mousemove', e => {
        if (!drag) return;
        const dx = e.clientX - drag.x, dy = e.clientY - drag.y; drag.x = e.clientX; drag.y = e.clientY;
        if (drag.pan) {
          const k = view.dist / canvas.height, cy = Math.cos(view.yaw), sy = Math.sin(view.yaw);
          view.target[0] -= k * dx * cy; view.target[2] += k * dx * sy; view.target[1] -= k * dy;
        } else {
          view.yaw += 0.01 * dx;
          view.pitch = Math.max(-Math.PI / 2 + 1e-3, Math.min(Math.PI / 2 - 1e-3, view.pitch - 0.01 * dy));
        }
        draw();
      });
      canvas.addEventListener('wheel', e => { e.preventDefault(); view.dist *= Math.exp(0.001 * e.deltaY); draw(); }, { passive: false });
      for (const b of document.querySelectorAll('#controls button')) b.addEventListener('click', () => { reset(b.dataset.view); draw(); });
      // Legend.
      const bar = document.getElementById('colorbar').getContext('2d');
      for (let x = 0; x < 220; x++) { bar.fillStyle = color(x / 219); bar.fillRect(x, 0, 1, 14); }
      document.getElementById('tmin').textContent = lo.toFixed(1);
      document.getElementById('tmax').textContent = hi.toFixed(1);
      const keys = [['#1f77b4', 'odometry'], ['#ff7f0e', 'corrected (squares: keyframes)'], ['#000000', 'ground truth (dashed)'],
                    ['#2ca02c', 'accepted loop'], ['#d62728', 'rejected loop (dashed)'], ['#999999', 'unconfirmed loop (dotted)']];
      document.getElementById('keys').innerHTML = keys.map(k => '<li><span style="color:' + k[0] + '">■</span> ' + k[1] + '</li>').join('');
      reset('reset'); draw();
    })();
    """#
}
