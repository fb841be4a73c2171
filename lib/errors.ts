/**
 * A mistake in what the user asked for: a bad argument, a missing deployment, a deposit the pool would refuse.
 * Tasks print its message as one line and exit non-zero; anything else is a bug and keeps its stack trace.
 */
export class UserInputError extends Error {
  override name = "UserInputError";
}
