"""The machine: every line of env.txt as a table, and a note on what a
virtual machine changes when env.txt says virtualized: yes."""
from reportlib import Results, md_table


def render(res: Results) -> str:
    if not (res.dir / "env.txt").is_file():
        return ""
    text = "## The machine\n\n" + md_table(["", ""], [[key, value] for key, value in res.env.items()])
    if res.env.get("virtualized") == "yes":
        text += f"""This run was inside a virtual machine ({res.env.get("hypervisor", "?")}): every system
call and page fault is the guest kernel's, but timer interrupts, idle CPUs
and some page-table work go through the hypervisor, so switch costs that
involve the kernel are usually higher than on bare metal.

"""
    return text
