package io.lowbit.optim;

import io.lowbit.Blockwise;
import io.lowbit.CastOptions;
import io.lowbit.Checks;
import io.lowbit.Codebook;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.io.AtomicFiles;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Base of lowbit's optimizers: parameter groups, the step loop, BF16 parameters, learning-rate
 * schedules, state accounting and checkpoints (contract 7.4).
 *
 * <p><b>BF16 parameters</b> have no float32 master copy: each step decodes the BF16 codes into a
 * transient float32 buffer, runs the float32 update, and encodes back to BF16 with stochastic
 * rounding (contract 2.4). The random word of element i of parameter k (0-based over all groups)
 * at step t (1-based) is word i of {@code RandomStream(seed, (t - 1) * 2^32, k)} (contract 3);
 * the seed is {@link #bf16Seed(long)} (default 0), so a run is reproducible.
 *
 * <p><b>Bad input</b> (gradient count or lengths, a negative or non-finite scheduled lr) throws
 * IllegalArgumentException before any parameter or state changes.
 */
public abstract class Optimizer {
    /** Tensors with fewer elements keep float32 states (contract 7.2). */
    public static final int MIN_QUANTIZED_SIZE = 4096;
    static final int FORMAT_VERSION = 1;
    private static final byte[] MAGIC = "LOWBITOPT".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** Elements per thread range of the 32-bit steps. */
    private static final int RANGE = 4096;

    protected final List<ParamGroup> groups;
    protected final List<Param> params = new ArrayList<>();
    protected final double[] groupLr, groupWd;
    private final int[] groupOf;
    protected StateTensor[][] states;
    /** Per-parameter scalars that some optimizers keep (stabilizer statistics), saved in checkpoints. */
    protected double[][] extras;
    protected long step;
    private LrSchedule schedule = LrSchedule.CONSTANT;
    private long bf16Seed;
    protected Blockwise blockwise;
    private float[] scratch = new float[0];

    protected Optimizer(List<ParamGroup> groups, double defaultLr, double defaultWd, Backend backend) {
        Checks.notNull("groups", groups);
        if (groups.isEmpty()) throw new IllegalArgumentException("groups must hold at least one parameter group");
        checkNonNegative("lr", defaultLr);
        checkNonNegative("weightDecay", defaultWd);
        this.groups = List.copyOf(groups);
        groupLr = new double[groups.size()];
        groupWd = new double[groups.size()];
        List<Integer> owner = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = Checks.notNull("groups[" + gi + "]", groups.get(gi));
            groupLr[gi] = g.lr() != null ? g.lr() : defaultLr;
            groupWd[gi] = g.weightDecay() != null ? g.weightDecay() : defaultWd;
            for (Param p : g.params()) {
                for (Param q : params) {
                    // names key checkpoints; a shared array would be updated twice per step
                    if (q.name().equals(p.name())) throw new IllegalArgumentException("parameter names must be unique, " + p.name() + " appears twice");
                    if ((q.values() != null && q.values() == p.values()) || (q.bf16Codes() != null && q.bf16Codes() == p.bf16Codes())) {
                        throw new IllegalArgumentException("parameters " + q.name() + " and " + p.name() + " share one array");
                    }
                }
                params.add(p);
                owner.add(gi);
            }
        }
        groupOf = owner.stream().mapToInt(Integer::intValue).toArray();
        blockwise = Blockwise.on(Checks.notNull("backend", backend));
    }

    protected Optimizer(List<ParamGroup> groups, double defaultLr, double defaultWd) {
        this(groups, defaultLr, defaultWd, Backends.get());
    }

    static void checkNonNegative(String name, double v) {
        if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException(name + " must be >= 0 and finite, got " + v);
    }

    static void checkBeta(String name, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(name + " must be in [0, 1), got " + v);
    }

    static void checkPositive(String name, double v) {
        if (!(v > 0 && v < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException(name + " must be > 0 and finite, got " + v);
    }

    /** For the one-state optimizers (SGD momentum, Lion): 32- or 8-bit states, a valid block size. */
    static void checkOneStateSettings(int stateBits, int blockSize) {
        if (stateBits != 32 && stateBits != 8) throw new IllegalArgumentException("stateBits must be 32 or 8, got " + stateBits);
        Blockwise.checkBlockSize(blockSize);
    }

    /**
     * The single signed state of SGD momentum and Lion: float32 when asked or for tensors under
     * {@link #MIN_QUANTIZED_SIZE} elements, else 8-bit dynamic-signed blocks.
     */
    static StateTensor[] oneSignedState(int n, int stateBits, int blockSize) {
        return new StateTensor[] {stateBits == 32 || n < MIN_QUANTIZED_SIZE ? StateTensor.float32(n)
                : StateTensor.quantized(n, 8, Codebook.DYNAMIC_SIGNED, blockSize)};
    }

    /** Subclass constructors call this once their settings are in place. */
    protected final void initStates() {
        states = new StateTensor[params.size()][];
        extras = new double[params.size()][];
        for (int k = 0; k < params.size(); k++) {
            states[k] = newStates(params.get(k).size());
            extras[k] = new double[extrasPerParam()];
        }
    }

    /** The state tensors of a fresh parameter of n elements, in {@link #stateNames()} order. */
    protected abstract StateTensor[] newStates(int n);

    protected abstract String[] stateNames();

    /** "adamw", "sgd", "lion". */
    public abstract String kind();

    /** Settings fixed at construction, recorded in checkpoints and compared on load. */
    protected abstract Map<String, Double> settings();

    protected int extrasPerParam() { return 0; }

    /** Steps called before the parameter loop of step t (e.g. a scheduled momentum reset). */
    protected void beforeStep(long t) {}

    /** Updates parameter k in place (float32 view p) and returns its count of non-finite gradients. */
    protected abstract int update(int k, float[] p, float[] g, double lr, double wd, long t);

    // ---- configuration ----

    public Optimizer schedule(LrSchedule s) { this.schedule = Checks.notNull("schedule", s); return this; }

    public Optimizer bf16Seed(long seed) { this.bf16Seed = seed; return this; }

    /** Split each step over at most this many threads (results do not depend on it). */
    public Optimizer threads(int threads) { this.blockwise = blockwise.threads(threads); return this; }

    public List<Param> params() { return List.copyOf(params); }

    /** Completed steps. */
    public long steps() { return step; }

    // ---- the step ----

    /**
     * One step: {@code grads[k]} is the float32 gradient of parameter k (groups in order, then
     * parameters in group order). Returns how many gradient elements were NaN or Inf (their
     * parameters are unchanged and their states zeroed, contract 7.3).
     */
    public final int step(float[]... grads) {
        Checks.notNull("grads", grads);
        if (grads.length != params.size()) throw new IllegalArgumentException("grads must hold " + params.size() + " arrays (one per parameter), got " + grads.length);
        for (int k = 0; k < grads.length; k++) {
            Checks.notNull("grads[" + k + "]", grads[k]);
            Checks.exactLength("grads[" + k + "] (gradient of " + params.get(k).name() + ")", grads[k].length, params.get(k).size());
        }
        long t = step + 1;
        double[] lr = new double[groups.size()];
        for (int gi = 0; gi < lr.length; gi++) {
            lr[gi] = schedule.lr(t, groupLr[gi]);
            if (!(lr[gi] >= 0 && lr[gi] < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("lr of group " + gi + " at step " + t + " must be >= 0 and finite, got " + lr[gi]);
        }
        beforeStep(t);
        int bad = 0;
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            int gi = groupOf[k];
            if (!p.isBf16()) {
                bad += update(k, p.values(), grads[k], lr[gi], groupWd[gi], t);
            } else {
                int n = p.size();
                if (scratch.length < n) scratch = new float[n];
                Backend be = blockwise.backend();
                be.casts().decode16(ElementFormat.BF16, p.bf16Codes(), scratch, n);
                bad += update(k, scratch, grads[k], lr[gi], groupWd[gi], t);
                RandomStream rs = new RandomStream(bf16Seed, (t - 1) << 32, k);
                be.casts().encode16(ElementFormat.BF16, CastOptions.stochastic(rs, false), scratch, p.bf16Codes(), n);
            }
        }
        step = t;
        return bad;
    }

    /** Runs a 32-bit element kernel over [0, n) split by threads. */
    protected final int forElements(int n, Blockwise.BlockRange body) {
        return blockwise.forBlocks(n, Blockwise.blocks(n, RANGE), (b0, b1) -> body.run(b0 * RANGE, Math.min(n, b1 * RANGE)));
    }

    protected final int forBlocks(int n, int blockSize, Blockwise.BlockRange body) {
        return blockwise.forBlocks(n, Blockwise.blocks(n, blockSize), body);
    }

    // ---- accounting ----

    /** Bytes of optimizer state per parameter name (codes, absmax, float32 states). */
    public Map<String, Long> stateBytes() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int k = 0; k < params.size(); k++) {
            long b = 0;
            for (StateTensor s : states[k]) b += s.bytes();
            out.put(params.get(k).name(), b);
        }
        return out;
    }

    public long totalStateBytes() { return stateBytes().values().stream().mapToLong(Long::longValue).sum(); }

    /** The state tensors of parameter k, in {@link #stateNames()} order (for inspection and tests). */
    public List<StateTensor> states(int k) { return List.of(states[k]); }

    // ---- checkpoints (contract 7.4) ----

    /** Writes the full optimizer state atomically, with a CRC32C over everything before it. */
    public void save(Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(FORMAT_VERSION);
        out.writeUTF(kind());
        Map<String, Double> set = allSettings();
        out.writeInt(set.size());
        for (Map.Entry<String, Double> e : set.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeDouble(e.getValue());
        }
        out.writeLong(step);
        out.writeLong(bf16Seed);
        out.writeInt(params.size());
        for (int k = 0; k < params.size(); k++) {
            out.writeUTF(params.get(k).name());
            out.writeInt(params.get(k).size());
            out.writeInt(states[k].length);
            for (StateTensor s : states[k]) {
                out.writeByte(s.bits);
                if (s.bits == 32) {
                    writeFloats(out, s.values);
                } else {
                    out.writeInt(s.blockSize);
                    out.writeUTF(s.codebook.name());
                    writeFloats(out, s.codebook.valuesUnsafe());
                    writeFloats(out, s.absmax);
                    out.writeInt(s.codes.length);
                    out.write(s.codes);
                }
            }
            out.writeInt(extras[k].length);
            for (double d : extras[k]) out.writeDouble(d);
        }
        out.flush();
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        AtomicFiles.write(file, bytes.toByteArray());
    }

    private Map<String, Double> allSettings() {
        Map<String, Double> set = new LinkedHashMap<>(settings());
        for (int gi = 0; gi < groups.size(); gi++) {
            set.put("group" + gi + ".lr", groupLr[gi]);
            set.put("group" + gi + ".weightDecay", groupWd[gi]);
        }
        return set;
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        for (float f : v) out.writeInt(Float.floatToRawIntBits(f));
    }

    /**
     * Restores a state written by {@link #save}. The whole file is checked (checksum, format,
     * optimizer kind and settings, parameter names and sizes, state layout) before anything is
     * replaced: on any error this optimizer is left as it was.
     */
    public void load(Path file) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "no such file");
        }
        if (all.length < MAGIC.length + 8) throw new CheckpointException(file, "truncated (" + all.length + " bytes)");
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        int stored = ((all[all.length - 4] & 0xFF) << 24) | ((all[all.length - 3] & 0xFF) << 16) | ((all[all.length - 2] & 0xFF) << 8) | (all[all.length - 1] & 0xFF);
        if (stored != (int) crc.getValue()) throw new CheckpointException(file, "checksum mismatch: the file is damaged or truncated");
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 4));
        try {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new CheckpointException(file, "not a lowbit optimizer checkpoint");
            int version = in.readInt();
            if (version != FORMAT_VERSION) throw new CheckpointException(file, "format version " + version + ", expected " + FORMAT_VERSION);
            String kind = in.readUTF();
            if (!kind.equals(kind())) throw new CheckpointException(file, "holds a " + kind + " state, this optimizer is " + kind());
            Map<String, Double> want = allSettings();
            int ns = in.readInt();
            Map<String, Double> got = new LinkedHashMap<>();
            for (int i = 0; i < ns; i++) got.put(in.readUTF(), in.readDouble());
            if (!got.equals(want)) throw new CheckpointException(file, "settings differ: file " + got + ", optimizer " + want);
            long savedStep = in.readLong();
            long savedSeed = in.readLong();
            int np = in.readInt();
            if (np != params.size()) throw new CheckpointException(file, "has " + np + " parameters, optimizer has " + params.size());
            StateTensor[][] newStates = new StateTensor[np][];
            double[][] newExtras = new double[np][];
            for (int k = 0; k < np; k++) {
                String name = in.readUTF();
                int n = in.readInt();
                Param p = params.get(k);
                if (!name.equals(p.name()) || n != p.size()) {
                    throw new CheckpointException(file, "parameter " + k + " is " + name + "[" + n + "], optimizer has " + p.name() + "[" + p.size() + "]");
                }
                StateTensor[] fresh = newStates(n);
                int count = in.readInt();
                if (count != fresh.length) throw new CheckpointException(file, name + " has " + count + " state tensors, expected " + fresh.length);
                newStates[k] = new StateTensor[count];
                for (int s = 0; s < count; s++) newStates[k][s] = readState(in, file, name + "." + stateNames()[s], fresh[s]);
                int ne = in.readInt();
                if (ne != extrasPerParam()) throw new CheckpointException(file, name + " has " + ne + " extra scalars, expected " + extrasPerParam());
                newExtras[k] = new double[ne];
                for (int e = 0; e < ne; e++) newExtras[k][e] = in.readDouble();
            }
            if (in.available() != 0) throw new CheckpointException(file, in.available() + " unexpected trailing bytes");
            // everything checked: commit
            states = newStates;
            extras = newExtras;
            step = savedStep;
            bf16Seed = savedSeed;
        } catch (EOFException e) {
            throw new CheckpointException(file, "truncated");
        }
    }

    private static StateTensor readState(DataInputStream in, Path file, String what, StateTensor like) throws IOException {
        int bits = in.readByte();
        if (bits != like.bits) throw new CheckpointException(file, what + " has " + bits + "-bit codes, expected " + like.bits);
        if (bits == 32) {
            float[] v = readFloats(in, file, what, like.n);
            return StateTensor.restored(like.n, 32, null, 0, v, null, null);
        }
        int bs = in.readInt();
        if (bs != like.blockSize) throw new CheckpointException(file, what + " has block size " + bs + ", expected " + like.blockSize);
        String cbName = in.readUTF();
        float[] cbValues = readFloats(in, file, what + " codebook", like.codebook.size());
        Codebook cb;
        try {
            cb = Codebook.of(cbName, cbValues);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, what + " codebook is invalid: " + e.getMessage());
        }
        float[] absmax = readFloats(in, file, what + " absmax", like.absmax.length);
        int nc = in.readInt();
        if (nc != like.codes.length) throw new CheckpointException(file, what + " has " + nc + " code bytes, expected " + like.codes.length);
        byte[] codes = in.readNBytes(nc);
        if (codes.length != nc) throw new EOFException();
        return StateTensor.restored(like.n, bits, cb, bs, null, codes, absmax);
    }

    private static float[] readFloats(DataInputStream in, Path file, String what, int expected) throws IOException {
        int n = in.readInt();
        if (n != expected) throw new CheckpointException(file, what + " has " + n + " values, expected " + expected);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = Float.intBitsToFloat(in.readInt());
        return v;
    }

    /** A checkpoint that cannot be loaded; the optimizer is unchanged. */
    public static final class CheckpointException extends IOException {
        CheckpointException(Path file, String why) { super("optimizer checkpoint " + file + ": " + why); }
    }
}
