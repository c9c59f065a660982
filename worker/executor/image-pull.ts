// Pulling run images with dockerode: the pull policy (always, as JobServ, or
// if-not-present), the registry's own message when a pull fails, and the
// digest of the image a run gets (repo@sha256:... from the registry, or the
// image id for an image that came from no registry).
import type Docker from "dockerode";
import type { ContainerSpec } from "./executor.js";

export async function prepareImage(docker: Docker, image: string, auth: ContainerSpec["auth"], policy: "always" | "if-not-present"): Promise<string> {
  const present = await inspect(docker, image);
  if (!present || policy === "always") {
    try {
      await pull(docker, image, auth);
    } catch (e) {
      throw new Error(`unable to pull image ${image}: ${registryMessage(e)}`);
    }
  }
  // Not pulled: the first look is the answer (no second round trip to Docker).
  const info = present && policy !== "always" ? present : await inspect(docker, image);
  if (!info) throw new Error(`image ${image} is not present after pulling it`);
  return info.RepoDigests?.[0] ?? info.Id;
}

export async function pull(docker: Docker, image: string, auth: ContainerSpec["auth"]): Promise<void> {
  const stream = await docker.pull(image, auth ? { authconfig: auth } : {});
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: { error?: string; errorDetail?: { message?: string } }[]) => {
      const failed = events?.find((e) => e.error || e.errorDetail);
      if (err) reject(err);
      else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
      else resolve();
    });
  });
}

async function inspect(docker: Docker, image: string): Promise<{ Id: string; RepoDigests?: string[] } | undefined> {
  try {
    return await docker.getImage(image).inspect();
  } catch {
    return undefined;
  }
}

/** Docker's error for a refused pull carries the registry's words in its JSON body ("message"). */
function registryMessage(e: unknown): string {
  const err = e as { json?: { message?: string }; reason?: string; message?: string };
  return err.json?.message ?? err.message ?? String(e);
}
