import "./early-search.ts";
import { render } from "preact";
import { App } from "./app.tsx";
import "./explorer.css";
import "./model.css";
import "./styles.css";

render(<App />, document.getElementById("app")!);
