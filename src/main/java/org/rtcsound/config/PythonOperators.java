package org.rtcsound.config;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import org.rtcsound.config.PyValue.Bool;
import org.rtcsound.config.PyValue.Bytes;
import org.rtcsound.config.PyValue.Complex;
import org.rtcsound.config.PyValue.Dict;
import org.rtcsound.config.PyValue.Float;
import org.rtcsound.config.PyValue.Int;
import org.rtcsound.config.PyValue.Sequence;
import org.rtcsound.config.PyValue.Str;
import org.rtcsound.config.PythonExpression.SyntaxError;

/**
 * The three operations CherryPy's builder performs on literals ({@code operator.neg},
 * {@code operator.add}, {@code operator.mul}) and subscripts, with Python's rules: bool is
 * an int, ints widen to float and complex, sequences join and repeat, and what Python
 * refuses with a TypeError, IndexError or KeyError is refused here.
 */
final class PythonOperators {

    private PythonOperators() {
    }

    static PyValue negate(PyValue value, int at) throws SyntaxError {
        if (value instanceof Int || value instanceof Bool) {
            return new Int(integer(value).negate());
        }
        if (value instanceof Float f) {
            return new Float(-f.value());
        }
        if (value instanceof Complex c) {
            return new Complex(-c.real(), -c.imag());
        }
        throw new SyntaxError(at, "bad operand type for unary -: '" + value.typeName() + "'");
    }

    static PyValue add(PyValue left, PyValue right, int at) throws SyntaxError {
        if (isNumber(left) && isNumber(right)) {
            if (left instanceof Complex || right instanceof Complex) {
                Complex a = complex(left, at);
                Complex b = complex(right, at);
                return new Complex(a.real() + b.real(), a.imag() + b.imag());
            }
            if (left instanceof Float || right instanceof Float) {
                return new Float(real(left, at) + real(right, at));
            }
            return new Int(integer(left).add(integer(right)));
        }
        if (left instanceof Str a && right instanceof Str b) {
            return new Str(a.value() + b.value());
        }
        if (left instanceof Bytes a && right instanceof Bytes b) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(a.value());
            out.writeBytes(b.value());
            return new Bytes(out.toByteArray());
        }
        if (left instanceof Sequence a && right instanceof Sequence b && a.tuple() == b.tuple()) {
            List<PyValue> items = new ArrayList<>(a.items());
            items.addAll(b.items());
            return new Sequence(a.tuple(), items);
        }
        throw unsupported("+", left, right, at);
    }

    static PyValue multiply(PyValue left, PyValue right, int at, long maxSize) throws SyntaxError {
        if (isNumber(left) && isNumber(right)) {
            if (left instanceof Complex || right instanceof Complex) {
                Complex a = complex(left, at);
                Complex b = complex(right, at);
                return new Complex(a.real() * b.real() - a.imag() * b.imag(),
                        a.real() * b.imag() + a.imag() * b.real());
            }
            if (left instanceof Float || right instanceof Float) {
                return new Float(real(left, at) * real(right, at));
            }
            return new Int(integer(left).multiply(integer(right)));
        }
        if (isSequence(left) && (right instanceof Int || right instanceof Bool)) {
            return repeat(left, integer(right), at, maxSize);
        }
        if (isSequence(right) && (left instanceof Int || left instanceof Bool)) {
            return repeat(right, integer(left), at, maxSize);
        }
        throw unsupported("*", left, right, at);
    }

    /** {@code value[index]}. */
    static PyValue item(PyValue value, PyValue index, int at) throws SyntaxError {
        if (value instanceof Dict d) {
            PyValue.Key key = PyValue.Key.of(index);
            if (key == null) {
                throw new SyntaxError(at, "unhashable type: '" + index.typeName() + "'");
            }
            PyValue found = d.entries().get(key);
            if (found == null) {
                throw new SyntaxError(at, "the key " + PyValue.str(index) + " is not in the dict (KeyError)");
            }
            return found;
        }
        if (!isSequence(value)) {
            throw new SyntaxError(at, "'" + value.typeName() + "' object is not subscriptable");
        }
        if (!(index instanceof Int || index instanceof Bool)) {
            throw new SyntaxError(at, value.typeName() + " indices must be integers, not " + index.typeName());
        }
        long length = length(value);
        BigInteger i = integer(index);
        if (i.signum() < 0) {
            i = i.add(BigInteger.valueOf(length));
        }
        if (i.signum() < 0 || i.compareTo(BigInteger.valueOf(length)) >= 0) {
            throw new SyntaxError(at, value.typeName() + " index out of range (IndexError)");
        }
        int k = i.intValue();
        if (value instanceof Str s) {
            int start = s.value().offsetByCodePoints(0, k);
            return new Str(new String(Character.toChars(s.value().codePointAt(start))));
        }
        if (value instanceof Bytes b) {
            return new Int(BigInteger.valueOf(b.value()[k] & 0xff));
        }
        return ((Sequence) value).items().get(k);
    }

    private static boolean isNumber(PyValue v) {
        return v instanceof Int || v instanceof Bool || v instanceof Float || v instanceof Complex;
    }

    private static boolean isSequence(PyValue v) {
        return v instanceof Str || v instanceof Bytes || v instanceof Sequence;
    }

    private static BigInteger integer(PyValue v) {
        return v instanceof Bool b ? (b.value() ? BigInteger.ONE : BigInteger.ZERO) : ((Int) v).value();
    }

    /** Python's float(x) of an int (correctly rounded; too large is an OverflowError). */
    private static double real(PyValue v, int at) throws SyntaxError {
        if (v instanceof Float f) {
            return f.value();
        }
        double d = integer(v).doubleValue();
        if (Double.isInfinite(d)) {
            throw new SyntaxError(at, "int too large to convert to float (OverflowError)");
        }
        return d;
    }

    private static Complex complex(PyValue v, int at) throws SyntaxError {
        return v instanceof Complex c ? c : new Complex(real(v, at), 0.0);
    }

    private static long length(PyValue v) {
        if (v instanceof Str s) {
            return s.length();
        }
        if (v instanceof Bytes b) {
            return b.value().length;
        }
        return ((Sequence) v).items().size();
    }

    private static PyValue repeat(PyValue sequence, BigInteger count, int at, long maxSize) throws SyntaxError {
        if (count.bitLength() > 63) {
            throw new SyntaxError(at, "cannot fit 'int' into an index-sized integer (OverflowError)");
        }
        long length = length(sequence);
        long times = length == 0 ? 0 : Math.max(0, count.longValue());
        if (length > 0 && times > maxSize / length) {
            throw new SyntaxError(at, "a repetition that makes a value of more than " + maxSize
                    + " items: od.config is read into memory");
        }
        int n = (int) times;
        if (sequence instanceof Str s) {
            return new Str(s.value().repeat(n));
        }
        if (sequence instanceof Bytes b) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                out.writeBytes(b.value());
            }
            return new Bytes(out.toByteArray());
        }
        Sequence s = (Sequence) sequence;
        List<PyValue> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.addAll(s.items());
        }
        return new Sequence(s.tuple(), items);
    }

    private static SyntaxError unsupported(String operator, PyValue left, PyValue right, int at) {
        return new SyntaxError(at, "unsupported operand type(s) for " + operator + ": '" + left.typeName() + "' and '"
                + right.typeName() + "'");
    }
}
