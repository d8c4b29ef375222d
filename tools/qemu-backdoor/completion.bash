# SPDX-License-Identifier: GPL-2.0-or-later
# Bash completion for qemu-backdoor: its options and their values (read
# from its --help, so they cannot drift), then files for the program and its
# arguments, or QEMU's after --. Plain bash, no bash-completion package
# needed. make install puts it in share/bash-completion/completions; from
# the tree: source tools/qemu-backdoor/completion.bash
# shellcheck shell=bash

_qemu_backdoor()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} option= i
    # Bash splits --arch=x86_64 at '=' (COMP_WORDBREAKS) into three words.
    if [[ $cur == = ]]; then
        option=$prev cur=
    elif [[ $prev == = ]]; then
        option=${COMP_WORDS[COMP_CWORD-2]}
    fi
    for ((i = 1; i < COMP_CWORD; i++)); do
        local word=${COMP_WORDS[i]} before=${COMP_WORDS[i-1]}
        if [[ $word == -- || ($word != -* && $word != = && $before != = &&
              $before != --plugin-opt) ]]; then
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            return
        fi
    done
    local words= files=yes spec
    if [[ -n $option ]]; then
        # The value's syntax from --help ("--print=PATH|stdout|stderr"): its
        # lower-case words are the choices, PATH or FILE asks for a file.
        spec=$("$1" --help 2>/dev/null | sed -n "s/^ *$option=\([^ ]*\).*/\1/p" | head -n 1)
        [[ -n $spec ]] || return
        words=$(tr '|' '\n' <<< "$spec" | grep -v '^[A-Z]' | tr '\n' ' ')
        [[ $spec == *PATH* || $spec == FILE || $spec == DIR ]] || files=
    fi
    if [[ -n $option || $cur != -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur"
                                 [[ -n $files ]] && compgen -f -- "$cur")
        return
    fi
    mapfile -t COMPREPLY < <(compgen -W "$("$1" --help 2>/dev/null |
        sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*=\{0,1\}\).*/\2/p')" -- "$cur")
    if [[ ${COMPREPLY[0]-} == *= ]]; then
        compopt -o nospace 2>/dev/null
    fi
}
complete -F _qemu_backdoor qemu-backdoor
