import { redirect } from "next/navigation";

// The app starts at the overview; it sends people who are not signed in to /signin.
export default function Home() {
  redirect("/overview");
}
