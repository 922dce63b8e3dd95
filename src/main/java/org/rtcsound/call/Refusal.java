package org.rtcsound.call;

/**
 * Why a call may not start, with what the client is told: the text after {@code ERROR} and
 * the close code. Adapters throw these (the token verifier, the desktop locator, the limits,
 * the settings), and the session turns any of them into {@code ERROR <reason>} and a close,
 * so that no refusal ever looks like an internal error. Sealed: the session's answer to
 * each kind is decided here, not discovered at run time.
 */
public sealed abstract class Refusal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int closeCode;

    private Refusal(int closeCode, String reason) {
        super(reason);
        this.closeCode = closeCode;
    }

    /** The text after {@code ERROR }: readable, and never holding a token or a secret. */
    public String reason() {
        return getMessage();
    }

    public int closeCode() {
        return closeCode;
    }

    /** A short, stable name of the kind of refusal ({@code token-refused}, {@code no-desktop}, ...), for counting. */
    public String kind() {
        return getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** A token that authenticates no one; {@link #problem()} says why (REST answers with it alone). */
    public static final class TokenRefused extends Refusal {
        private static final long serialVersionUID = 1L;
        private final String problem;

        public TokenRefused(String problem) {
            super(CloseCode.REFUSED, "token refused: " + problem);
            this.problem = problem;
        }

        public String problem() {
            return problem;
        }
    }

    /** Anything but a token before the caller has proved who they are. */
    public static final class AuthenticationRequired extends Refusal {
        private static final long serialVersionUID = 1L;

        public AuthenticationRequired() {
            super(CloseCode.REFUSED, "authentication required: send the token first (Sec-WebSocket-Protocol "
                    + "'bearer.<token>', ?jwt_token=<token>, or TOKEN <token>)");
        }
    }

    /** A {@code HELLO} naming someone other than the token's user. */
    public static final class WrongUser extends Refusal {
        private static final long serialVersionUID = 1L;

        public WrongUser(String helloUid) {
            super(CloseCode.REFUSED, "HELLO " + helloUid + " does not match the token's user");
        }
    }

    /** The user has no running desktop to reach (yet): the page retries on its own. */
    public static final class NoDesktop extends Refusal {
        private static final long serialVersionUID = 1L;

        public NoDesktop(String reason) {
            super(CloseCode.MEDIA_FAILED, reason);
        }
    }

    /** A session limit is reached; which one, and what to do, is in the reason. */
    public static final class LimitReached extends Refusal {
        private static final long serialVersionUID = 1L;

        public LimitReached(String reason) {
            super(CloseCode.TRY_AGAIN_LATER, reason);
        }
    }

    /** A configuration value rtcsound cannot use; the reason names the key and what is wrong. */
    public static final class InvalidSetting extends Refusal {
        private static final long serialVersionUID = 1L;
        private final String key;

        public InvalidSetting(String key, String problem) {
            super(CloseCode.MEDIA_FAILED, "setting '" + key + "' " + problem);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }
}
