"""Independent re-computation of every qat.lsq case in this directory with NumPy (float32),
written from numerics-contract.md section 8 without lowbit's code. Run: python3 check_numpy.py"""
import glob, json, os, sys
import numpy as np

f32 = np.float32

def pairwise(v):  # contract section 1
    if len(v) == 0: return f32(0)
    if len(v) == 1: return v[0]
    h = 1 << ((len(v) - 1).bit_length() - 1)
    return f32(pairwise(v[:h]) + pairwise(v[h:]))

def segment(x, g, s, beta, qn, qp):
    v = ((x - beta) if beta is not None else x) / s            # float32 division
    r = np.rint(v)                                             # half to even, keeps -0
    lvl = np.where(r < -qn, f32(-qn), np.where(r > qp, f32(qp), r)).astype(f32)
    q = lvl * s
    if beta is not None: q = q + beta
    inside = (v >= -qn) & (v <= qp)
    dx = np.where(inside, g, f32(0))
    t = np.where(v < -qn, f32(-qn), np.where(v > qp, f32(qp), r - v)).astype(f32)
    gs = f32(1.0 / np.sqrt(float(len(x)) * qp))
    ds = gs * pairwise((g * t).astype(f32))
    db = gs * pairwise((g * np.where(inside, f32(0), f32(1))).astype(f32))
    return q, dx, ds, db

bad = 0
here = os.path.dirname(os.path.abspath(__file__))
for m in sorted(glob.glob(os.path.join(here, "*.json"))):
    c = json.load(open(m)); p = c["params"]; ld = lambda n: np.load(os.path.join(here, n))
    bits, signed = p["bits"], p.get("signed", True)
    qn, qp = (2 ** (bits - 1), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
    x, s, g = ld(c["inputs"]["x"]), ld(c["inputs"]["s"]).reshape(-1), ld(c["inputs"]["g"])
    beta = ld(c["inputs"]["beta"]).reshape(-1) if "beta" in c["inputs"] else None
    G = p.get("groupSize")
    x2 = x.reshape(1, -1) if G is None else x; g2 = g.reshape(x2.shape)
    rows, cols = x2.shape; G = G or cols; per = -(-cols // G)
    q = np.zeros_like(x2); dx = np.zeros_like(x2); ds = np.zeros(len(s), f32); db = np.zeros(len(s), f32)
    for r in range(rows):
        for j in range(per):
            k = r * per + j; sl = slice(j * G, min(cols, (j + 1) * G))
            q[r, sl], dx[r, sl], ds[k], db[k] = segment(x2[r, sl], g2[r, sl], s[k], None if beta is None else beta[k], qn, qp)
    got = {"q": q.reshape(x.shape), "dx": dx.reshape(x.shape), "ds": ds, "dbeta": db}
    for name, f in c["expected"].items():
        want = ld(f).reshape(-1).view(np.uint32); have = got[name].reshape(-1).astype(f32).view(np.uint32)
        if not np.array_equal(want, have):
            bad += 1; print("MISMATCH", os.path.basename(m), name)
print("cases:", len(glob.glob(os.path.join(here, "*.json"))), "mismatches:", bad)
sys.exit(1 if bad else 0)
