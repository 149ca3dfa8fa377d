/** A provider recipe whose opening fails in the serving thread, as a broken state directory would. */
export function openProvider(): Promise<never> {
  return Promise.reject(new Error("this provider cannot be opened"));
}
